//! What a customer is told about their case — received, answered, closed — in Persian or
//! English, as an email (subject and text) and as a short SMS.

/// Something that happened to a case that its customer hears about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEvent {
    /// The case was filed.
    Received,
    /// Staff replied to the customer.
    Answered,
    /// The case was closed.
    Closed,
}

/// One notice in the customer's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The email's subject line.
    pub subject: String,
    /// The email's text.
    pub text: String,
    /// The SMS: short, one or two segments.
    pub sms: String,
}

use super::notice_templates::{
    Overrides, TemplateEvent, TemplateKey, TemplatePart, render, text_in_use,
};

/// Longest part of a reply quoted in an SMS; the full reply goes by email.
const SMS_REPLY_CHARS: usize = 120;

/// The notice of `event` for case `number` about `subject`, in `locale` (`fa`, or anything else
/// for English), in the built-in texts. An answer quotes the reply; a closing carries the
/// satisfaction survey's link when there is one.
pub fn case_notice(
    locale: &str,
    event: CaseEvent,
    number: &str,
    subject: &str,
    reply: Option<&str>,
    survey: Option<&str>,
) -> Notice {
    case_notice_with(
        &Overrides::new(),
        locale,
        event,
        CaseFacts {
            number,
            subject,
            reply,
            survey,
        },
    )
}

/// What a case notice says about its case.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseFacts<'a> {
    /// The case's number.
    pub number: &'a str,
    /// The case's subject.
    pub subject: &'a str,
    /// The reply's text, when the event is an answer.
    pub reply: Option<&'a str>,
    /// The satisfaction survey's link, when a closing has one.
    pub survey: Option<&'a str>,
}

/// The notice of `event` written from the administrator's edited templates (`overrides`),
/// the built-in text for any not edited.
pub fn case_notice_with(
    overrides: &Overrides,
    locale: &str,
    event: CaseEvent,
    facts: CaseFacts<'_>,
) -> Notice {
    let locale = if locale == "fa" { "fa" } else { "en" };
    let reply = facts.reply.unwrap_or_default().trim();
    let mut short: String = reply.chars().take(SMS_REPLY_CHARS).collect();
    if reply.chars().count() > SMS_REPLY_CHARS {
        short.push('…');
    }
    let values = [
        ("number", facts.number),
        ("subject", facts.subject),
        ("reply", reply),
        ("reply_short", short.as_str()),
        ("link", facts.survey.unwrap_or_default()),
    ];
    let template_event = match event {
        CaseEvent::Received => TemplateEvent::Received,
        CaseEvent::Answered => TemplateEvent::Answered,
        CaseEvent::Closed => TemplateEvent::Closed,
    };
    let write = |event: TemplateEvent, part: TemplatePart| {
        let key = TemplateKey {
            locale,
            event,
            part,
        };
        render(key, text_in_use(overrides, key), &values)
    };
    let mut notice = Notice {
        subject: write(template_event, TemplatePart::Subject),
        text: write(template_event, TemplatePart::Email),
        sms: write(template_event, TemplatePart::Sms),
    };
    if let (CaseEvent::Closed, Some(_)) = (event, facts.survey) {
        let email = write(TemplateEvent::Survey, TemplatePart::Email);
        let sms = write(TemplateEvent::Survey, TemplatePart::Sms);
        notice.text.push_str(&format!("\n\n{email}"));
        notice.sms.push_str(&format!(" {sms}"));
    }
    notice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_the_case_in_the_customers_language() {
        let fa = case_notice(
            "fa",
            CaseEvent::Received,
            "1405-00017",
            "خرابی دستگاه",
            None,
            None,
        );
        assert!(fa.subject.contains("1405-00017") && fa.text.contains("خرابی دستگاه"));
        assert!(fa.sms.contains("ثبت شد"));
        let en = case_notice(
            "en",
            CaseEvent::Closed,
            "1405-00017",
            "Broken",
            None,
            Some("https://crm.example/survey/abc"),
        );
        assert!(en.subject.contains("closed") && en.sms.contains("1405-00017"));
        assert!(en.text.ends_with("https://crm.example/survey/abc"));
    }

    #[test]
    fn an_answer_quotes_the_reply_and_shortens_it_for_sms() {
        let reply = "ب".repeat(300);
        let notice = case_notice(
            "fa",
            CaseEvent::Answered,
            "1",
            "x",
            Some(&reply),
            Some("https://x"),
        );
        assert!(notice.text.contains(&reply));
        assert!(notice.sms.ends_with('…'));
        assert!(notice.sms.chars().count() < 160);
        assert!(
            !notice.text.contains("https://x"),
            "only a closing asks for a rating"
        );
    }
}

/// Which service-level clock ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaClockKind {
    /// Until the first reply to the customer.
    FirstResponse,
    /// Until the case is resolved.
    Resolution,
}

impl SlaClockKind {
    /// The code used in the audit trail.
    pub fn code(self) -> &'static str {
        match self {
            SlaClockKind::FirstResponse => "first_response",
            SlaClockKind::Resolution => "resolution",
        }
    }
}

/// The email telling a manager (in their interface language) that a case missed a target:
/// subject and text.
pub fn breach_notice(
    locale: &str,
    clock: SlaClockKind,
    number: &str,
    subject: &str,
) -> (String, String) {
    if locale == "fa" {
        let what = match clock {
            SlaClockKind::FirstResponse => "مهلت پاسخ اول",
            SlaClockKind::Resolution => "مهلت حل",
        };
        (
            format!("تأخیر در درخواست {number}: {what} گذشت"),
            format!(
                "{what} درخواست {number} با موضوع «{subject}» گذشته است و درخواست به شما ارجاع شد."
            ),
        )
    } else {
        let what = match clock {
            SlaClockKind::FirstResponse => "first response",
            SlaClockKind::Resolution => "resolution",
        };
        (
            format!("Case {number} missed its {what} target"),
            format!(
                "The {what} target of case {number} (\"{subject}\") has passed; the case is escalated to you."
            ),
        )
    }
}

/// The email reminding someone of an activity: its subject line and text, in `locale` (`fa`,
/// or anything else for English). `due` is the activity's due moment, already written for the
/// reader (a Jalali date in Persian).
pub fn reminder_notice(locale: &str, subject: &str, due: Option<&str>) -> (String, String) {
    if locale == "fa" {
        let when = due.map_or(String::new(), |d| format!("\nموعد: {d}"));
        (
            format!("یادآوری: {subject}"),
            format!("یادآوری کار «{subject}»{when}\n\nاین پیام از پیوند فرستاده شده است."),
        )
    } else {
        let when = due.map_or(String::new(), |d| format!("\nDue: {d}"));
        (
            format!("Reminder: {subject}"),
            format!("A reminder of \"{subject}\".{when}\n\nSent by Peyvand."),
        )
    }
}

/// The email that lets a portal user choose a new password through `link` (valid for an
/// hour), in `locale` (`fa`, or anything else for English): subject line and text.
pub fn password_reset_notice(locale: &str, link: &str) -> (String, String) {
    if locale == "fa" {
        (
            "تعیین گذرواژهٔ تازه برای درگاه مشتریان".to_owned(),
            format!(
                "برای تعیین گذرواژهٔ تازه تا یک ساعت آینده این پیوند را باز کنید:\n\n{link}\n\nاگر شما درخواست نکرده‌اید، این پیام را نادیده بگیرید؛ گذرواژهٔ کنونی تغییری نمی‌کند."
            ),
        )
    } else {
        (
            "Choose a new password for the customer portal".to_owned(),
            format!(
                "To choose a new password, open this link within the next hour:\n\n{link}\n\nIf you did not ask for this, ignore this message; your password stays as it is."
            ),
        )
    }
}
