//! `kindly-sim [SEEDS] [DAYS] [FIRST_SEED] [--no-faults] [--excerpt N] [--store sqlite|dynamo] [--customers N]`: simulate seeds FIRST_SEED.. for DAYS
//! days each, print every violation with its seed and trace, and end with one summary line; exit 1 on any
//! violation.

use kindly_sim::backend::Kind;
use kindly_sim::faults::FaultRates;
use kindly_sim::{Options, simulate};
use std::time::Instant;

const HELP: &str = "\
Simulate kindly in operation: SEEDS worlds (500 customers in 28 time zones by default), DAYS days each,
the real services with the seed's faults, customers who answer on their page (promises kept and broken,
payments claimed, disputes, new contacts, receipts) and staff who settle those answers, the mail system's
feedback on every message (deliveries, hard and transient bounces, complaints; late, twice, out of order)
and staff who fix the contact of a message that did not arrive, customers' replies by email (a person's
own words, out-of-office notes with a return day or without) and staff who read them or not, customers
paying an early-payment discount inside the window or just after, customers on payment plans, contracts
that charge interest, one conversation per customer, and twenty-one promises checked after every step:
no-message-twice, nothing-after-settling, nobody-forgotten, money-exact, no-silent-loss, legal-history, answer-holds,
contact-confirmed, acknowledged-once, promise-by-facts, answer-once, nothing-to-blocked,
undelivered-not-said, feedback-once, fixed-once, reply-holds, reply-once, auto-reply-no-task,
discount-kept, interest-exact, tone-never-falls-back.

  SEEDS            how many seeds to run (20)
  DAYS             simulated days per seed (365)
  FIRST_SEED       the first seed (1); seeds FIRST_SEED.. run in turn
  --no-faults      inject no faults (what remains are the rules' own defects)
  --excerpt N      trace lines shown with each violation (12)
  --store KIND     sqlite (default) or dynamo (the DynamoDB store on KINDLY_MOTO_URL; needs --features dynamo)
  --customers N    customers in each world (500)

Prints every violation with its seed and trace, seeds per minute and the slowest seed, and ends with
`simulated SEEDS seeds × DAYS days: V violations`; exits 1 on any violation. A seed and DAYS reproduce
a run exactly.";

fn usage(problem: &str) -> ! {
    eprintln!(
        "usage: kindly-sim [SEEDS] [DAYS] [FIRST_SEED] [--no-faults] [--excerpt N] [--store sqlite|dynamo] [--customers N]\n{problem}"
    );
    std::process::exit(2);
}

fn number(text: &str, name: &str) -> u64 {
    text.parse()
        .unwrap_or_else(|_| usage(&format!("{name} must be a whole number, got `{text}`")))
}

fn main() {
    let mut positional = Vec::new();
    let mut no_faults = false;
    let mut excerpt = 12;
    let mut store = Kind::Sqlite;
    let mut customers = 500;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("usage: kindly-sim [SEEDS] [DAYS] [FIRST_SEED] [options]\n\n{HELP}");
                return;
            }
            "--no-faults" => no_faults = true,
            "--excerpt" => {
                let text = args
                    .next()
                    .unwrap_or_else(|| usage("--excerpt needs a number of lines"));
                excerpt = number(&text, "--excerpt") as usize;
            }
            "--customers" => {
                let text = args.next().unwrap_or_else(|| usage("--customers needs a number"));
                customers = number(&text, "--customers") as usize;
            }
            "--store" => {
                store = match args.next().as_deref() {
                    Some("sqlite") => Kind::Sqlite,
                    Some("dynamo") if cfg!(feature = "dynamo") => Kind::Dynamo,
                    Some("dynamo") => usage("--store dynamo needs the build with --features dynamo"),
                    _ => usage("--store takes sqlite or dynamo"),
                }
            }
            _ => positional.push(arg),
        }
    }
    let at = |index: usize, default: u64, name: &str| positional.get(index).map_or(default, |text| number(text, name));
    let (seeds, first) = (at(0, 20, "SEEDS"), at(2, 1, "FIRST_SEED"));
    let days = u32::try_from(at(1, 365, "DAYS")).unwrap_or_else(|_| usage("DAYS must be below 2^32"));
    let started = Instant::now();
    let mut violations = 0;
    let mut slowest = (0, 0.0);
    for seed in first..first + seeds {
        let began = Instant::now();
        let outcome = simulate(Options {
            faults: no_faults.then_some(FaultRates::NONE),
            excerpt,
            store,
            customers,
            ..Options::new(seed, days)
        });
        let seconds = began.elapsed().as_secs_f64();
        if seconds > slowest.1 {
            slowest = (seed, seconds);
        }
        for violation in &outcome.violations {
            println!(
                "seed {seed}: {} at {}: {}",
                violation.invariant.name(),
                violation.at.format("%Y-%m-%d %H:%M"),
                violation.what
            );
            for line in &violation.trace {
                println!("    {line}");
            }
        }
        println!(
            "seed {seed}: {} steps, {} messages, {} answers ({} taken), {} notifications ({} undelivered, {} contacts \
             fixed), {} replies ({} automatic, {} read), {} plans ({} paid on, {} stopped), {} violations {:?}, trace {}, \
             {seconds:.1} s, faults {:?}",
            outcome.steps,
            outcome.messages,
            outcome.answers.0,
            outcome.answers.1,
            outcome.feedback.0,
            outcome.feedback.1,
            outcome.feedback.2,
            outcome.replies.0 + outcome.replies.1,
            outcome.replies.1,
            outcome.replies.2,
            outcome.plans.0,
            outcome.plans.1,
            outcome.plans.2,
            outcome.violations.len(),
            outcome.counts(),
            &outcome.trace_hash[..16],
            outcome.faults
        );
        violations += outcome.violations.len();
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    println!(
        "{:.2} seeds per minute; slowest seed {} ({:.1} s)",
        seeds as f64 / minutes.max(1e-9),
        slowest.0,
        slowest.1
    );
    println!("simulated {seeds} seeds × {days} days: {violations} violations");
    if violations > 0 {
        std::process::exit(1);
    }
}
