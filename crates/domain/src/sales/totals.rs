//! The one place where the money of a sales document is computed: each line's gross amount,
//! discount, net amount, tax and total, and the document's totals as sums of its lines.
//!
//! **Rounding rule.** Amounts are whole Rials. A line's gross is `quantity × unit price`
//! (exact). Its discount is `gross × discount%` and its tax is `net × tax%`, each rounded once,
//! to the nearest Rial with halves rounded up (all amounts are non-negative, so "up" is away
//! from zero). Nothing is rounded at document level: the document's totals are the exact sums
//! of its lines' rounded amounts, so a printed document always adds up line by line.

use crate::validation::ValidationErrors;

use super::percent::{FULL, check_percent};
use super::{NEGATIVE, NOT_POSITIVE, TOO_LARGE};

/// What a user states about a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInput {
    /// How many units (whole units).
    pub quantity: i64,
    /// Price of one unit in Rials.
    pub unit_price: i64,
    /// Discount in basis points of the gross amount.
    pub discount_bp: i64,
    /// Tax rate in basis points of the net amount.
    pub tax_bp: i64,
}

/// The amounts of one line, all in Rials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineAmounts {
    /// Quantity times unit price.
    pub gross: i64,
    /// The discount taken off the gross amount.
    pub discount: i64,
    /// Gross less discount.
    pub net: i64,
    /// Tax on the net amount.
    pub tax: i64,
    /// Net plus tax: what the customer pays for the line.
    pub total: i64,
}

/// The totals of a document: each the sum of the same amount over its lines.
pub type Totals = LineAmounts;

/// `value × bp / 10000`, rounded to the nearest whole with halves up (for non-negative values).
fn share(value: i64, bp: i64) -> i64 {
    let product = i128::from(value) * i128::from(bp);
    let full = i128::from(FULL);
    // Both factors are checked to be within i64 and bp ≤ 10000, so the result fits in i64.
    i64::try_from((product * 2 + full) / (full * 2)).unwrap_or(i64::MAX)
}

/// Checks a line's values, each error against the field it belongs to.
pub fn validate_line(input: &LineInput) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if input.quantity < 0 {
        errors.add("quantity", NEGATIVE);
    } else if input.quantity == 0 {
        errors.add("quantity", NOT_POSITIVE);
    }
    if input.unit_price < 0 {
        errors.add("unit_price", NEGATIVE);
    }
    if let Err(error) = check_percent(input.discount_bp) {
        errors.add("discount_bp", error);
    }
    if let Err(error) = check_percent(input.tax_bp) {
        errors.add("tax_bp", error);
    }
    errors.into_result()
}

/// The amounts of a valid line, or the reason it is not valid.
pub fn line_amounts(input: &LineInput) -> Result<LineAmounts, ValidationErrors> {
    validate_line(input)?;
    let gross = input
        .quantity
        .checked_mul(input.unit_price)
        .ok_or_else(|| too_large("unit_price"))?;
    let discount = share(gross, input.discount_bp);
    let net = gross - discount;
    let tax = share(net, input.tax_bp);
    let total = net
        .checked_add(tax)
        .ok_or_else(|| too_large("unit_price"))?;
    Ok(LineAmounts {
        gross,
        discount,
        net,
        tax,
        total,
    })
}

fn too_large(field: &str) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    errors.add(field, TOO_LARGE);
    errors
}

impl LineAmounts {
    /// `self + other`, amount by amount; `None` when a sum would overflow.
    pub fn checked_add(&self, other: &LineAmounts) -> Option<LineAmounts> {
        Some(LineAmounts {
            gross: self.gross.checked_add(other.gross)?,
            discount: self.discount.checked_add(other.discount)?,
            net: self.net.checked_add(other.net)?,
            tax: self.tax.checked_add(other.tax)?,
            total: self.total.checked_add(other.total)?,
        })
    }

    /// `self - other`, amount by amount (only ever used to take out a line that was added, so
    /// it cannot overflow).
    pub fn minus(&self, other: &LineAmounts) -> LineAmounts {
        LineAmounts {
            gross: self.gross - other.gross,
            discount: self.discount - other.discount,
            net: self.net - other.net,
            tax: self.tax - other.tax,
            total: self.total - other.total,
        }
    }
}

/// The totals of a document with these lines, or `None` if they exceed what 64 bits hold.
pub fn document_totals<'a>(lines: impl IntoIterator<Item = &'a LineAmounts>) -> Option<Totals> {
    lines
        .into_iter()
        .try_fold(Totals::default(), |sum, line| sum.checked_add(line))
}

/// A change to a document's lines. Positions are indexes into the current lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEdit {
    /// Append a line.
    Add(LineInput),
    /// Replace the line at this position.
    Update(usize, LineInput),
    /// Remove the line at this position; the lines after it move up.
    Remove(usize),
}

/// A document's lines with their amounts and the document's totals, kept in step edit by edit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentLines {
    lines: Vec<(LineInput, LineAmounts)>,
    totals: Totals,
}

/// Why an edit was refused; the lines are then unchanged.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    /// The line's values are invalid.
    Invalid(ValidationErrors),
    /// No line at that position.
    NoSuchLine,
}

impl DocumentLines {
    /// The lines of a stored document (validated again, so stored nonsense is caught).
    pub fn new(inputs: impl IntoIterator<Item = LineInput>) -> Result<DocumentLines, EditError> {
        let mut lines = DocumentLines::default();
        for input in inputs {
            lines.apply(LineEdit::Add(input))?;
        }
        Ok(lines)
    }

    /// Applies one edit, updating the totals by the difference it makes. On error nothing
    /// changes.
    pub fn apply(&mut self, edit: LineEdit) -> Result<(), EditError> {
        match edit {
            LineEdit::Add(input) => {
                let amounts = line_amounts(&input).map_err(EditError::Invalid)?;
                self.totals = self
                    .totals
                    .checked_add(&amounts)
                    .ok_or_else(|| EditError::Invalid(too_large("quantity")))?;
                self.lines.push((input, amounts));
            }
            LineEdit::Update(index, input) => {
                let old = self.lines.get(index).ok_or(EditError::NoSuchLine)?.1;
                let amounts = line_amounts(&input).map_err(EditError::Invalid)?;
                self.totals = self
                    .totals
                    .minus(&old)
                    .checked_add(&amounts)
                    .ok_or_else(|| EditError::Invalid(too_large("quantity")))?;
                self.lines[index] = (input, amounts);
            }
            LineEdit::Remove(index) => {
                if index >= self.lines.len() {
                    return Err(EditError::NoSuchLine);
                }
                let (_, old) = self.lines.remove(index);
                self.totals = self.totals.minus(&old);
            }
        }
        Ok(())
    }

    /// The lines in order, with their amounts.
    pub fn lines(&self) -> &[(LineInput, LineAmounts)] {
        &self.lines
    }

    /// The document's totals.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// The largest discount of any line, in basis points (what approval is decided on).
    pub fn max_discount_bp(&self) -> i64 {
        self.lines
            .iter()
            .map(|(input, _)| input.discount_bp)
            .max()
            .unwrap_or(0)
    }
}
