//! Fee invoices for the accounting system: one CSV row each, appended to a file staff import there.

use crate::error::LocalError;
use kindly_core::fee_invoice::FeeInvoice;
use std::fs::OpenOptions;
use std::path::Path;

/// Append `fee` to the CSV file at `path`, writing the header first when the file is new or empty. The fee
/// invoice is already recorded on its invoice when this runs, so a failure names it in full: it must then
/// be entered by hand, never raised a second time.
pub fn append(path: &Path, fee: &FeeInvoice) -> Result<(), LocalError> {
    write_row(path, fee).map_err(|problem| {
        LocalError::Usage(format!(
            "fee invoice {} ({} {} for invoice {}) is recorded, but {} could not be written ({problem}); \
             enter it in the accounting system by hand",
            fee.number,
            fee.total,
            fee.currency,
            fee.for_number,
            path.display()
        ))
    })
}

fn write_row(path: &Path, fee: &FeeInvoice) -> Result<(), String> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| e.to_string())?;
    let is_new = file.metadata().map_err(|e| e.to_string())?.len() == 0;
    let mut writer = csv::WriterBuilder::new().has_headers(is_new).from_writer(file);
    writer.serialize(fee).map_err(|e| e.to_string())?;
    writer.flush().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindly_core::{Currency, CustomerId, InvoiceId};

    fn fee(id: &str) -> FeeInvoice {
        let day = |text: &str| text.parse().unwrap();
        FeeInvoice {
            id: InvoiceId(format!("{id}-interest-2026-03-22")),
            number: format!("{id}-INT-20260322"),
            customer_id: CustomerId("C1".into()),
            currency: Currency::from_code("GBP").unwrap(),
            for_invoice: InvoiceId(id.into()),
            for_number: id.into(),
            interest: "24.14".parse().unwrap(),
            fee: "70.00".parse().unwrap(),
            total: "94.14".parse().unwrap(),
            from: day("2026-02-01"),
            through: day("2026-03-22"),
            annual_percent: Some("11.75".parse().unwrap()),
            basis: "uk_late_payment_act_1998".into(),
            issue_date: day("2026-03-22"),
            due_date: day("2026-04-05"),
        }
    }

    #[test]
    fn rows_are_appended_under_one_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fees.csv");
        append(&path, &fee("I1")).unwrap();
        append(&path, &fee("I2")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "id,number,customer_id,currency,for_invoice,for_number,interest,fee,total,from,through,\
                 annual_percent,basis,issue_date,due_date",
                "I1-interest-2026-03-22,I1-INT-20260322,C1,GBP,I1,I1,24.14,70.00,94.14,2026-02-01,2026-03-22,\
                 11.75,uk_late_payment_act_1998,2026-03-22,2026-04-05",
                "I2-interest-2026-03-22,I2-INT-20260322,C1,GBP,I2,I2,24.14,70.00,94.14,2026-02-01,2026-03-22,\
                 11.75,uk_late_payment_act_1998,2026-03-22,2026-04-05",
            ]
        );
        // A file that cannot be written names the fee invoice to enter by hand.
        let problem = append(dir.path(), &fee("I3")).unwrap_err().to_string();
        assert!(
            problem.contains("fee invoice I3-INT-20260322 (94.14 GBP for invoice I3) is recorded"),
            "{problem}"
        );
    }
}
