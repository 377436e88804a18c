//! The store conformance suite, written once against the [`Store`] trait. Every store implementation
//! runs it from its own tests with [`store_conformance_tests!`], against a fresh, empty store per check:
//! the store's own contract ([`records`]), the pass ([`pass`]), review ([`review`]), sending against races and faults ([`sending`], with the
//! meddling store of [`meddling`]), and what changes to customers and invoices do to waiting drafts
//! ([`changes`]), what the receivables reports read ([`reports`]), and one conversation per customer
//! ([`conversation`]). New scenario tests go here, so they run on every store.

mod answers;
mod changes;
mod conversation;
mod discounts;
mod feedback;
mod fees;
mod forwards;
mod last_step;
mod meddling;
mod pass;
mod plan_life;
mod plans;
mod records;
mod replies;
mod reports;
mod review;
mod sending;

pub use answers::*;
pub use changes::*;
pub use conversation::*;
pub use discounts::*;
pub use feedback::*;
pub use fees::*;
pub use forwards::*;
pub use last_step::*;
pub use pass::*;
pub use plan_life::*;
pub use plans::*;
pub use records::*;
pub use replies::*;
pub use reports::*;
pub use review::*;
pub use sending::*;

/// Generate one `#[tokio::test]` per conformance check. `$make` is an async expression that yields a
/// fresh, empty store each time it is evaluated.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr) => {
        $crate::store_conformance_tests!(@each $make;
            customers_round_trip, invoices_round_trip, action_index_holds_only_open_due_invoices,
            unsettled_excludes_settled, insert_reminder_is_conditional, reminders_are_listed,
            update_reminder_is_conditional, progress_never_overwrites_status, one_claim_wins,
            replace_invoice_is_conditional_on_its_revision, progress_moves_the_revision_on, events_are_recorded_once,
            a_payment_racing_a_send_stops_it, invoices_are_found_by_payment_reference,
            a_claimed_reminder_is_never_superseded, a_changed_customer_voids_their_waiting_drafts,
            an_invoice_moved_to_another_customer_leaves_the_old_ones_drafts,
            an_unknown_outcome_is_failed_for_a_person_never_sent_twice, a_send_uses_the_reminder_as_it_is_now,
            a_sent_message_is_recorded_through_a_conflict,
            customers_far_west_and_east_are_reminded_on_their_own_day,
            one_customers_impossible_sums_stop_only_that_customer, a_payment_pending_too_long_is_held_for_staff, several_reminders_change_all_or_nothing,
            a_fee_invoice_takes_its_interest_out_of_the_waiting_drafts,
            approving_a_set_approves_none_when_one_changed_meanwhile,
            a_failed_reminder_holds_the_ladder_until_a_person_resolves_it,
            notes_and_reasons_are_bounded_whoever_calls,
            a_send_run_stamps_claims_when_made_and_stops_at_its_deadline,
            a_draft_claimed_while_it_is_replaced_is_not_said_twice, a_reminder_gone_stale_is_planned_again_for_today,
            a_failed_payment_reopens_the_ladder_at_once, a_claim_from_a_copy_replaced_meanwhile_fails,
            a_part_payment_racing_a_claim_is_planned_again_at_once,
            a_promise_holds_the_ladder_and_a_broken_one_resumes_it_saying_so,
            a_claimed_payment_waits_for_staff_who_confirm_it_paid,
            a_rejected_dispute_resumes_the_ladder_gently_with_the_reason,
            a_new_contact_is_never_written_to_before_staff_confirm_it,
            an_answer_sent_twice_is_recorded_once_and_a_flood_is_refused,
            a_broken_promise_resumes_with_the_stage_not_yet_said,
            a_promise_is_not_broken_before_its_day_is_over,
            an_upheld_dispute_holds_through_a_part_payment_until_the_corrected_invoice,
            a_promise_still_holds_when_a_later_claim_is_rejected,
            a_payment_staff_confirm_is_paid_even_under_a_later_promise,
            a_bounce_holds_the_stage_until_staff_fix_the_contact_then_it_goes_out_once,
            feedback_about_no_known_reminder_changes_nothing,
            a_reply_holds_the_customer_until_a_person_has_read_it,
            an_out_of_office_note_moves_the_next_message_past_the_return,
            a_complaint_blocks_the_address_and_holds_the_customer_until_a_person_has_looked,
            a_notification_heard_again_after_a_crash_writes_its_line_once,
            a_stage_that_did_not_arrive_is_said_again_though_the_calendar_moved_on,
            a_message_to_an_address_blocked_after_it_was_drafted_is_not_sent,
            an_acknowledgement_stopped_at_a_bounced_address_goes_to_the_fixed_one_once,
            a_reply_is_forwarded_to_the_billing_mailbox_once,
            an_acknowledgement_that_did_not_go_out_is_sent_once_staff_say_so,
            a_reply_voids_the_waiting_draft_even_when_it_changed_meanwhile,
            a_plan_takes_invoices_off_the_ladder_notes_each_instalment_and_a_break_resumes_it,
            a_customer_chooses_a_plan_within_the_limits_and_staff_decide_one_outside,
            a_forward_that_failed_goes_out_later_and_one_in_doubt_never_twice,
            plans_are_kept_listed_and_found_while_they_run,
            the_last_step_writes_off_keeps_chasing_and_survives_the_accounting_copy,
            a_handed_over_invoice_leaves_the_open_balances_and_is_reported_apart,
            a_decision_cut_short_is_carried_out_when_repeated,
            invoices_are_found_by_issue_date_whatever_their_status,
            payments_are_dated_as_written_and_the_reports_read_them_back,
            expected_receipts_come_from_open_promises_and_running_plans,
            the_worked_example_reads_the_same_on_every_store,
            a_discounted_payment_by_the_deadline_settles_the_invoice_once,
            a_discounted_payment_after_the_deadline_leaves_the_rest_chased,
            the_accounting_system_settles_with_the_discount_by_the_deadline_only,
            a_refunded_discounted_payment_reopens_the_full_balance,
            the_discount_note_goes_out_once_before_the_deadline,
            a_newly_due_invoice_rides_in_the_conversation_and_a_new_one_starts_once_all_is_paid);
    };
    (@each $make:expr; $($check:ident),*) => {
        $(
            #[tokio::test]
            async fn $check() {
                let store = $make.await;
                $crate::conformance::$check(&store).await;
            }
        )*
    };
}
