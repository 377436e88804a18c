//! The renderer's catalogue as policy validation sees it: which templates exist in which languages, and what
//! a typical message from each says. A leaf: it imports nothing of the domain, only the renderer.

use kindly_render::{
    CompanyView, CustomerView, EarlyDiscountView, InterestLineView, InterestView, InvoiceLineView, Mailbox,
    MessageContext, PaymentInstructionsView, SignatureView,
};

/// What policy validation needs to know about templates; implemented over the renderer in
/// [`RendererCatalog`] and by fakes in tests.
pub trait TemplateCatalog {
    fn languages(&self) -> Vec<String>;
    fn has_template(&self, language: &str, template: &str) -> bool;
    /// What a template says, all parts concatenated, for a typical message; `None` if it does not exist.
    fn source(&self, language: &str, template: &str) -> Option<String>;
}

/// The templates compiled into kindly-render.
pub struct RendererCatalog;

impl TemplateCatalog for RendererCatalog {
    fn languages(&self) -> Vec<String> {
        kindly_render::LANGUAGES.iter().map(|l| l.to_string()).collect()
    }
    fn has_template(&self, language: &str, template: &str) -> bool {
        kindly_render::has_template(language, template)
    }
    /// Renders a sample overdue message: wording may live in shared layouts and phrase blocks, so the
    /// rendered words are what counts, not one file's source.
    fn source(&self, language: &str, template: &str) -> Option<String> {
        let context = sample_context(language, template);
        let rendered = kindly_render::render(&context).ok()?;
        Some([rendered.subject, rendered.text, rendered.html].join("\n"))
    }
}

/// A neutral, typical context for `template` in `language`: one overdue invoice, every optional part
/// present. Policy validation renders it to read a template's actual wording.
pub fn sample_context(language: &str, template: &str) -> MessageContext {
    let mailbox = |name: &str, email: &str| Mailbox {
        name: name.into(),
        email: email.into(),
    };
    MessageContext {
        template: template.into(),
        language: language.into(),
        from: mailbox("Billing", "billing@example.com"),
        reply_to: None,
        to: vec![mailbox("Pat", "pat@example.com")],
        cc: vec![mailbox("Fran", "fran@example.com")],
        company: CompanyView {
            name: "Example Co".into(),
            address_lines: vec!["1 Main St".into()],
            website: None,
        },
        signature: SignatureView {
            name: "Billing".into(),
            title: "Accounts".into(),
            email: "billing@example.com".into(),
            phone: None,
        },
        customer: CustomerView {
            display_name: "Customer".into(),
            contact_name: Some("Pat".into()),
            salutation: Some("ms".into()),
            surname: Some("Pat".into()),
            cc_salutation: Some("mr".into()),
            cc_surname: Some("Fran".into()),
        },
        invoices: vec![InvoiceLineView {
            number: "INV-1".into(),
            po_number: None,
            issue_date: "2026-01-01".into(),
            due_date: "2026-02-01".into(),
            days_overdue: 12,
            total: "100.00".into(),
            balance: "100.00".into(),
            payment_link: Some("https://pay.example.com/1".into()),
            credit: Some("5.00".into()),
        }],
        totals: vec!["100.00".into()],
        overdue_totals: Vec::new(),
        max_days_overdue: 12,
        payment: PaymentInstructionsView {
            method: "Bank transfer".into(),
            lines: vec!["IBAN X".into()],
        },
        interest: Some(InterestView {
            lines: vec![InterestLineView {
                invoice: "INV-1".into(),
                interest: Some("1.50".into()),
                since: "2026-02-02".into(),
                rate: Some("1.5%".into()),
                per: Some("month".into()),
                rate_varied: true,
                fee: Some("40.00".into()),
                clause: Some("1.5% per month".into()),
                statute: Some("uk_late_payment_act_1998".into()),
            }],
            totals: vec!["41.50".into()],
            waive_by: Some("2026-02-27".into()),
            clauses: vec!["1.5% per month".into()],
            statute: Some("uk_late_payment_act_1998".into()),
        }),
        early_discount: Some(EarlyDiscountView {
            percent: "2%".into(),
            pay_by: "2026-01-10".into(),
            discounted_amount: "98.00".into(),
            full_amount: Some("100.00".into()),
        }),
        personal_note: Some("Note".into()),
        date: "2026-02-13".into(),
        customer_page: Some("https://billing.example/c/token".into()),
        answer: Some(sample_answer()),
        earlier_answers: vec![sample_answer()],
        deadline: Some("2026-02-27".into()),
        next_step_on: Some("2026-03-13".into()),
    }
}

/// An answer with every field set, so a template that shows any of them is probed.
fn sample_answer() -> kindly_render::AnswerView {
    kindly_render::AnswerView {
        kind: "promise".into(),
        said_on: "2026-02-10".into(),
        day: Some("2026-02-20".into()),
        until: Some("2026-02-20".into()),
        invoices: vec!["INV-1".into()],
        category: Some("amount".into()),
        state: "open".into(),
        reason: Some("Reason".into()),
        contact: Some("ap@example.com".into()),
        amount: Some("50.00".into()),
        instalment: Some(1),
        instalments: Some(2),
    }
}
