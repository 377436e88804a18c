//! Turning what has accrued on an invoice into a fee invoice for the accounting system. kindly never adds
//! interest to an invoice by itself: staff decide, and the fee invoice is exported, so the accounting
//! system books it and sends it back like any invoice (then it is on the customer's statement and page).
//! Pure: the rules, the customer, the invoice and the day are parameters.

use crate::compose_interest::accrued;
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::interest::Remedy;
use crate::interest_policy::InterestRules;
use crate::invoice::{InterestInvoiced, Invoice, InvoiceId};
use crate::money::Currency;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

/// A fee invoice for the interest and fees accrued on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeInvoice {
    /// `{invoice id}-interest-{day}`: raising one twice on a day is the same fee invoice.
    pub id: InvoiceId,
    /// `{invoice number}-INT-{yyyymmdd}`.
    pub number: String,
    pub customer_id: CustomerId,
    pub currency: Currency,
    /// The invoice the interest and fees are for.
    pub for_invoice: InvoiceId,
    pub for_number: String,
    pub interest: Decimal,
    /// A statute's fixed compensation, or the contract's one-time or fixed fee.
    pub fee: Decimal,
    pub total: Decimal,
    /// The first and the last day charged.
    pub from: NaiveDate,
    pub through: NaiveDate,
    /// The yearly rate on the last day, when interest is charged.
    pub annual_percent: Option<Decimal>,
    /// The contract's clause, or the statute's key.
    pub basis: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
}

/// The fee invoice for what has accrued on `invoice` by `day` (and not been invoiced before), payable
/// within `payment_days`; [`CoreError::NotFound`] when nothing has accrued that kindly can state.
pub fn draft_fee_invoice(
    rules: &InterestRules,
    customer: &Customer,
    invoice: &Invoice,
    day: NaiveDate,
    payment_days: u32,
) -> Result<FeeInvoice, CoreError> {
    let (remedy, accrual) = accrued(rules, customer, invoice, day).ok_or_else(|| CoreError::NotFound {
        what: "interest or a fee to invoice on invoice",
        id: invoice.number.clone(),
    })?;
    let basis = match remedy {
        Remedy::Contract(contract) => contract.clause.clone(),
        Remedy::Statutory(rule) => rule.statute.key().to_owned(),
    };
    Ok(FeeInvoice {
        id: InvoiceId(format!("{}-interest-{day}", invoice.id)),
        number: format!("{}-INT-{}", invoice.number, day.format("%Y%m%d")),
        customer_id: invoice.customer_id.clone(),
        currency: invoice.currency,
        for_invoice: invoice.id.clone(),
        for_number: invoice.number.clone(),
        interest: accrual.interest,
        fee: accrual.fee,
        total: accrual.interest + accrual.fee,
        from: accrual.from,
        through: accrual.through,
        annual_percent: (!accrual.interest.is_zero())
            .then_some(accrual.annual_percent)
            .flatten(),
        basis,
        issue_date: day,
        due_date: day.checked_add_days(Days::new(payment_days.into())).unwrap_or(day),
    })
}

/// Record on `invoice` that `fee` charged what accrued through its last day (and its fixed sum).
pub fn mark_invoiced(invoice: &mut Invoice, fee: &FeeInvoice) {
    let earlier = invoice.bookkeeping.interest_invoiced.take();
    let (fee_included, mut fee_invoices) = earlier.map_or((false, Vec::new()), |earlier| {
        (earlier.fee_included, earlier.fee_invoices)
    });
    fee_invoices.push(fee.id.clone());
    invoice.bookkeeping.interest_invoiced = Some(InterestInvoiced {
        through: fee.through,
        fee_included: fee_included || !fee.fee.is_zero(),
        fee_invoices,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{customer, day, invoice};
    use crate::policy::Policy;

    fn pounds() -> Invoice {
        Invoice {
            currency: Currency::from_code("GBP").unwrap(),
            total: "1500.00".parse().unwrap(),
            ..invoice("I1", "C1", "2026-01-31", None)
        }
    }

    #[test]
    fn a_fee_invoice_charges_what_accrued_once_and_the_next_only_what_came_after() {
        let rules = Policy::default_policy().interest;
        let mut owed = pounds();
        let first = draft_fee_invoice(&rules, &customer("C1"), &owed, day("2026-03-22"), 14).unwrap();
        // £1,500 × 11.75 % × 50 / 365 = £24.14, and the £70 of the 1998 Act's band for £1,000 to £9,999.99.
        assert_eq!(
            (first.interest, first.fee, first.total),
            (
                "24.14".parse().unwrap(),
                "70.00".parse().unwrap(),
                "94.14".parse().unwrap()
            )
        );
        assert_eq!((first.from, first.through), (day("2026-02-01"), day("2026-03-22")));
        assert_eq!(first.number, "INV-I1-INT-20260322");
        assert_eq!(first.basis, "uk_late_payment_act_1998");
        assert_eq!(first.due_date, day("2026-04-05"));
        mark_invoiced(&mut owed, &first);
        // The same day again: nothing more to invoice.
        assert!(matches!(
            draft_fee_invoice(&rules, &customer("C1"), &owed, day("2026-03-22"), 14),
            Err(CoreError::NotFound { .. })
        ));
        // Ten days later: ten days' interest, no second fixed sum. £1,500 × 11.75 % × 10 / 365 = £4.83.
        let second = draft_fee_invoice(&rules, &customer("C1"), &owed, day("2026-04-01"), 14).unwrap();
        assert_eq!((second.from, second.fee), (day("2026-03-23"), "0.00".parse().unwrap()));
        assert_eq!(second.interest, "4.83".parse().unwrap());
        mark_invoiced(&mut owed, &second);
        let invoiced = owed.bookkeeping.interest_invoiced.as_ref().unwrap();
        assert_eq!(invoiced.fee_invoices, [first.id.clone(), second.id.clone()]);
        assert!(invoiced.fee_included);
        // Positive control: messages state only what accrued after the last fee invoice.
        let (_, later) = accrued(&rules, &customer("C1"), &owed, day("2026-04-11")).unwrap();
        assert_eq!((later.from, later.fee), (day("2026-04-02"), "0.00".parse().unwrap()));
    }
}
