//! `kindly-sim SEEDS DAYS [FIRST_SEED]`: simulate seeds FIRST_SEED.. for DAYS days each, print every
//! violation with its seed and trace, and end with one summary line; exit 1 on any violation.

use kindly_sim::{Options, simulate};
use std::time::Instant;

fn arg(position: usize, default: u64, name: &str) -> u64 {
    match std::env::args().nth(position) {
        None => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            eprintln!("usage: kindly-sim [SEEDS] [DAYS] [FIRST_SEED]; {name} must be a whole number, got `{text}`");
            std::process::exit(2);
        }),
    }
}

fn main() {
    let seeds = arg(1, 20, "SEEDS");
    let days = arg(2, 365, "DAYS");
    let first = arg(3, 1, "FIRST_SEED");
    let Ok(days) = u32::try_from(days) else {
        eprintln!("DAYS must be below 2^32");
        std::process::exit(2);
    };
    let started = Instant::now();
    let mut violations = 0;
    let mut slowest = (0, 0.0);
    for seed in first..first + seeds {
        let began = Instant::now();
        let outcome = simulate(Options::new(seed, days));
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
            "seed {seed}: {} steps, {} messages, {} violations {:?}, trace {}, {seconds:.1} s, faults {:?}",
            outcome.steps,
            outcome.messages,
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
