//! Counting what the store reads, for the cost-of-a-pass benchmark: DynamoDB bills reads by item size,
//! so items and (approximate) bytes read are the pass's cost.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Default)]
pub struct ReadStats {
    items: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
}

impl ReadStats {
    pub fn record(&self, item: &HashMap<String, AttributeValue>) {
        self.items.fetch_add(1, Ordering::Relaxed);
        let size: usize = item.iter().map(|(name, value)| name.len() + value_size(value)).sum();
        self.bytes.fetch_add(size as u64, Ordering::Relaxed);
    }

    /// (items, bytes) read since the last reset.
    pub fn read(&self) -> (u64, u64) {
        (self.items.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }

    pub fn reset(&self) {
        self.items.store(0, Ordering::Relaxed);
        self.bytes.store(0, Ordering::Relaxed);
    }
}

/// DynamoDB's item-size rules, roughly: strings and binaries by length, numbers ~ digits/2, nested
/// values by their contents plus a few bytes of overhead.
fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => number.len() / 2 + 1,
        AttributeValue::B(blob) => blob.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => 3 + map.iter().map(|(k, v)| 1 + k.len() + value_size(v)).sum::<usize>(),
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| n.len() / 2 + 1).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        _ => 0,
    }
}
