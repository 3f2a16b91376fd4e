//! The stages of a pipeline: 3–7 of them, in order, each with a win probability in percent.

use crate::record::TEXT_MAX;
use crate::validation::{FieldError, ValidationErrors};

/// Fewest stages a pipeline may have.
pub const MIN_STAGES: usize = 3;
/// Most stages a pipeline may have.
pub const MAX_STAGES: usize = 7;

/// A stage as an administrator submits it, in the order of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageInput {
    /// The stage being kept (renamed, moved), or None for a new one.
    pub id: Option<uuid::Uuid>,
    /// Its name.
    pub name: String,
    /// Win probability in percent, as typed (validated here).
    pub probability: String,
}

/// A validated stage: position (1-based, the list's order), name and probability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePlan {
    /// The stage being kept, or None for a new one.
    pub id: Option<uuid::Uuid>,
    /// 1 for the first stage.
    pub position: i64,
    /// Trimmed name.
    pub name: String,
    /// Percent, 0–100.
    pub probability: i64,
}

/// The stages a new pipeline starts with (names in Persian; administrators rename them).
pub const DEFAULT_STAGES: [(&str, i64); 5] = [
    ("ارزیابی اولیه", 10),
    ("نیازسنجی", 25),
    ("ارائه پیشنهاد", 50),
    ("مذاکره", 75),
    ("آماده قرارداد", 90),
];

/// The loss reasons a new installation starts with.
pub const DEFAULT_LOSS_REASONS: [&str; 5] = [
    "قیمت بالا",
    "انتخاب رقیب",
    "نبود بودجه",
    "عدم پاسخ مشتری",
    "نیاز برطرف نشد",
];

/// Checks a pipeline's whole list of stages. Errors are keyed `stages` (the count),
/// `stages.N.name` and `stages.N.probability` (N from 1), so a form can show each next to its
/// row.
pub fn validate_stages(inputs: &[StageInput]) -> Result<Vec<StagePlan>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if inputs.len() < MIN_STAGES {
        errors.add("stages", FieldError::TOO_SHORT);
    } else if inputs.len() > MAX_STAGES {
        errors.add("stages", FieldError::TOO_LONG);
    }
    let mut plans = Vec::with_capacity(inputs.len());
    let mut seen_ids = Vec::new();
    let mut seen_names: Vec<String> = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let position = index + 1;
        let name = input.name.trim();
        let name_key = crate::text::normalize_search(name);
        if name.is_empty() {
            errors.add(format!("stages.{position}.name"), FieldError::REQUIRED);
        } else if name.chars().count() > TEXT_MAX {
            errors.add(format!("stages.{position}.name"), FieldError::TOO_LONG);
        } else if seen_names.contains(&name_key) {
            errors.add(format!("stages.{position}.name"), FieldError::TAKEN);
        }
        seen_names.push(name_key);
        let probability = match crate::number::parse_integer(input.probability.trim()) {
            Ok(p) if (0..=100).contains(&p) => p,
            Ok(_) => {
                errors.add(
                    format!("stages.{position}.probability"),
                    FieldError::INVALID_NUMBER,
                );
                0
            }
            Err(error) => {
                errors.add(format!("stages.{position}.probability"), error);
                0
            }
        };
        if let Some(id) = input.id {
            if seen_ids.contains(&id) {
                errors.add(format!("stages.{position}.name"), FieldError::INVALID);
            }
            seen_ids.push(id);
        }
        plans.push(StagePlan {
            id: input.id,
            position: i64::try_from(position).unwrap_or(i64::MAX),
            name: name.to_owned(),
            probability,
        });
    }
    errors.into_result().map(|()| plans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, probability: &str) -> StageInput {
        StageInput {
            id: None,
            name: name.into(),
            probability: probability.into(),
        }
    }

    #[test]
    fn a_good_list_gets_positions_in_order() {
        let plans = validate_stages(&[stage(" a ", "10"), stage("b", "۵۰"), stage("c", "100")])
            .expect("valid");
        assert_eq!(
            plans
                .iter()
                .map(|p| (p.position, p.name.as_str(), p.probability))
                .collect::<Vec<_>>(),
            [(1, "a", 10), (2, "b", 50), (3, "c", 100)]
        );
    }

    #[test]
    fn too_few_or_too_many_stages_are_refused() {
        let two = [stage("a", "1"), stage("b", "2")];
        assert_eq!(
            validate_stages(&two).unwrap_err().fields["stages"],
            FieldError::TOO_SHORT
        );
        let eight: Vec<_> = (0..8).map(|i| stage(&format!("s{i}"), "5")).collect();
        assert_eq!(
            validate_stages(&eight).unwrap_err().fields["stages"],
            FieldError::TOO_LONG
        );
        let seven: Vec<_> = (0..7).map(|i| stage(&format!("s{i}"), "5")).collect();
        assert!(validate_stages(&seven).is_ok());
    }

    #[test]
    fn probabilities_outside_0_to_100_and_blank_names_are_refused() {
        let errors =
            validate_stages(&[stage("a", "101"), stage("", "5"), stage("c", "-1")]).unwrap_err();
        assert_eq!(
            errors.fields["stages.1.probability"],
            FieldError::INVALID_NUMBER
        );
        assert_eq!(errors.fields["stages.2.name"], FieldError::REQUIRED);
        assert_eq!(
            errors.fields["stages.3.probability"],
            FieldError::INVALID_NUMBER
        );
        let errors =
            validate_stages(&[stage("a", "x"), stage("b", "1"), stage("A", "2")]).unwrap_err();
        assert!(errors.fields.contains_key("stages.1.probability"));
        assert_eq!(errors.fields["stages.3.name"], FieldError::TAKEN);
    }

    #[test]
    fn the_defaults_are_valid() {
        let inputs: Vec<_> = DEFAULT_STAGES
            .iter()
            .map(|(name, p)| stage(name, &p.to_string()))
            .collect();
        assert!(validate_stages(&inputs).is_ok());
    }
}
