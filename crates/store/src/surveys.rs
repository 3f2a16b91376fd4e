//! Satisfaction surveys: one row per closed case, found by the hash of its link's token.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// One survey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    /// Its id.
    pub id: Uuid,
    /// The case it asks about.
    pub case_id: Uuid,
    /// The case's account, if any.
    pub account_id: Option<Uuid>,
    /// The case's contact, if any.
    pub contact_id: Option<Uuid>,
    /// The language the survey is shown in.
    pub locale: String,
    /// When it was made (the case closed).
    pub created_at: OffsetDateTime,
    /// When it was answered.
    pub answered_at: Option<OffsetDateTime>,
    /// Satisfaction, 1 to 5.
    pub csat: Option<i64>,
    /// How likely the customer is to recommend us, 0 to 10.
    pub nps: Option<i64>,
    /// The customer's words.
    pub comment: Option<String>,
}

const COLUMNS: [&str; 10] = [
    "id",
    "case_id",
    "account_id",
    "contact_id",
    "locale",
    "created_at",
    "answered_at",
    "csat",
    "nps",
    "comment",
];
const TYPES: [ColType; 10] = [
    ColType::Id,
    ColType::Id,
    ColType::Id,
    ColType::Id,
    ColType::Text,
    ColType::Time,
    ColType::Time,
    ColType::Int,
    ColType::Int,
    ColType::Text,
];

fn from_row(values: Vec<Value>) -> Option<SurveyRow> {
    let mut values = values.into_iter();
    let mut next = || values.next().unwrap_or(Value::Null);
    let time = |v: Value| match v {
        Value::Time(at) => Some(at),
        _ => None,
    };
    let int = |v: Value| match v {
        Value::Int(n) => Some(n),
        _ => None,
    };
    let text = |v: Value| match v {
        Value::Text(s) => Some(s),
        _ => None,
    };
    Some(SurveyRow {
        id: next().as_id()?,
        case_id: next().as_id()?,
        account_id: next().as_id(),
        contact_id: next().as_id(),
        locale: text(next())?,
        created_at: time(next())?,
        answered_at: time(next()),
        csat: int(next()),
        nps: int(next()),
        comment: text(next()),
    })
}

fn v(value: Value, ty: ColType) -> sea_query::Value {
    to_sql(&value, ty)
}

fn v_opt_id(id: Option<Uuid>) -> sea_query::Value {
    v(id.map_or(Value::Null, Value::Id), ColType::Id)
}

impl Tx {
    /// Stores a new, unanswered survey reached by the token whose hash is `token_hash`.
    pub async fn insert_survey(&mut self, row: &SurveyRow, token_hash: &str) -> StoreResult<()> {
        let mut columns = COLUMNS[..6].to_vec();
        columns.push("token_hash");
        let mut insert = Query::insert();
        insert.into_table("surveys").columns(columns).values_panic(
            [
                v(Value::Id(row.id), ColType::Id),
                v(Value::Id(row.case_id), ColType::Id),
                v_opt_id(row.account_id),
                v_opt_id(row.contact_id),
                v(Value::Text(row.locale.clone()), ColType::Text),
                v(Value::Time(row.created_at), ColType::Time),
                v(Value::Text(token_hash.to_owned()), ColType::Text),
            ]
            .map(Expr::val),
        );
        self.execute(&insert).await?;
        Ok(())
    }

    /// The survey reached by the token with this hash.
    pub async fn survey_by_token(&mut self, token_hash: &str) -> StoreResult<Option<SurveyRow>> {
        let mut select = Query::select();
        select.from("surveys").columns(COLUMNS).and_where(
            Expr::col("token_hash").eq(v(Value::Text(token_hash.to_owned()), ColType::Text)),
        );
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().next().and_then(from_row))
    }

    /// Records the answer of an unanswered survey; false when it was answered already.
    pub async fn answer_survey(
        &mut self,
        id: Uuid,
        csat: i64,
        nps: i64,
        comment: Option<&str>,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table("surveys")
            .value("answered_at", v(Value::Time(now), ColType::Time))
            .value("csat", v(Value::Int(csat), ColType::Int))
            .value("nps", v(Value::Int(nps), ColType::Int))
            .value(
                "comment",
                v(
                    comment.map_or(Value::Null, |c| Value::Text(c.to_owned())),
                    ColType::Text,
                ),
            )
            .and_where(Expr::col("id").eq(v(Value::Id(id), ColType::Id)))
            .and_where(Expr::col("answered_at").is_null());
        Ok(self.execute(&update).await? == 1)
    }

    /// The surveys about one customer (`column` is `account_id` or `contact_id`) or one case
    /// (`case_id`), newest first.
    pub async fn surveys_of(
        &mut self,
        column: &'static str,
        id: Uuid,
    ) -> StoreResult<Vec<SurveyRow>> {
        let mut select = Query::select();
        select
            .from("surveys")
            .columns(COLUMNS)
            .and_where(Expr::col(column).eq(v(Value::Id(id), ColType::Id)))
            .order_by("created_at", Order::Desc)
            .limit(200);
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().filter_map(from_row).collect())
    }
}
