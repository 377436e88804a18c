//! The AWS operations a crate's source calls, found by parsing it: every method called on an SDK client
//! (`self.client.get_item()`, `client.get_secret_value()`), named as its IAM action. DynamoDB transactions
//! are authorised item by item, so `transact_write_items` counts as the actions of the item types built
//! for it (`Put::builder()` is `dynamodb:PutItem`). Test code is skipped, and so are the functions a crate
//! declares as never running in a Lambda.

use crate::{InfraError, read};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use syn::visit::{self, Visit};

/// One AWS call in the source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Call {
    /// The IAM action it needs, e.g. `dynamodb:GetItem`.
    pub action: String,
    pub file: PathBuf,
    /// The function it is made in.
    pub function: String,
}

/// The SDK crates the Lambdas use and their IAM service prefixes.
const SERVICES: [(&str, &str); 4] = [
    ("aws_sdk_dynamodb", "dynamodb"),
    ("aws_sdk_sesv2", "ses"),
    ("aws_sdk_secretsmanager", "secretsmanager"),
    ("aws_sdk_s3", "s3"),
];

/// Operations IAM does not authorise as themselves: a transaction is checked item by item.
const TRANSACTIONS: [&str; 2] = ["transact_write_items", "transact_get_items"];

/// DynamoDB's transaction item types and the action IAM checks for each.
const TRANSACTION_ITEMS: [(&str, &str); 5] = [
    ("Put", "PutItem"),
    ("Update", "UpdateItem"),
    ("Delete", "DeleteItem"),
    ("ConditionCheck", "ConditionCheckItem"),
    ("Get", "GetItem"),
];

/// The Rust files that make up a package's library and binaries: its `src/` tree (less modules the library
/// compiles only under a `cfg`, such as test support, whether one file or a folder) and each `[[bin]]` path.
pub fn package_sources(package: &Path) -> Result<Vec<PathBuf>, InfraError> {
    let manifest_path = package.join("Cargo.toml");
    let manifest: toml::Table = read(&manifest_path)?.parse().map_err(|source| InfraError::Manifest {
        path: manifest_path.clone(),
        source,
    })?;
    let library = package.join("src/lib.rs");
    let gated = if library.exists() {
        cfg_gated_modules(&library)?
    } else {
        BTreeSet::new()
    };
    let mut files = Vec::new();
    collect_rust_files(&package.join("src"), &mut files)?;
    // A gated module is a file (`src/name.rs`) or a folder (`src/name/`, with its submodules).
    let source = package.join("src");
    files.retain(|file| {
        !gated
            .iter()
            .any(|module| *file == source.join(format!("{module}.rs")) || file.starts_with(source.join(module)))
    });
    for bin in manifest.get("bin").and_then(|b| b.as_array()).into_iter().flatten() {
        if let Some(path) = bin.get("path").and_then(|p| p.as_str()) {
            files.push(package.join(path));
        }
    }
    files.sort();
    Ok(files)
}

fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), InfraError> {
    let entries = std::fs::read_dir(dir).map_err(|source| InfraError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rust_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// Modules `lib.rs` declares under a `#[cfg(...)]`.
fn cfg_gated_modules(library: &Path) -> Result<BTreeSet<String>, InfraError> {
    Ok(parse(library)?
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(module) if module.attrs.iter().any(|a| a.path().is_ident("cfg")) => {
                Some(module.ident.to_string())
            }
            _ => None,
        })
        .collect())
}

fn parse(path: &Path) -> Result<syn::File, InfraError> {
    syn::parse_file(&read(path)?).map_err(|source| InfraError::Rust {
        path: path.to_path_buf(),
        source,
    })
}

/// The AWS calls in `files`, leaving out test code and the bodies of the functions named in `skipped`.
pub fn aws_calls(files: &[PathBuf], skipped: &[&str]) -> Result<Vec<Call>, InfraError> {
    let mut calls = Vec::new();
    for file in files {
        let code = FileCode::read(file, skipped)?;
        let found: Vec<(String, Found)> = code
            .calls
            .into_iter()
            .filter_map(|seen| {
                let found = seen.call.aws()?;
                Some((seen.within.unwrap_or_else(|| "(top level)".into()), found))
            })
            .collect();
        if found.is_empty() {
            continue;
        }
        // The file's one SDK crate says which service its client calls go to.
        let services: Vec<&str> = SERVICES
            .iter()
            .filter(|(krate, _)| code.crates.contains(*krate))
            .map(|(_, prefix)| *prefix)
            .collect();
        let [prefix] = services[..] else {
            return Err(InfraError::Unreadable {
                path: file.clone(),
                problem: format!(
                    "calls AWS but names {} of the SDK crates {:?}; keep one service's calls per file",
                    services.len(),
                    SERVICES.map(|(krate, _)| krate)
                ),
            });
        };
        for (function, found) in found {
            let operation = match found {
                Found::Operation(name) if TRANSACTIONS.contains(&name.as_str()) => continue,
                Found::Operation(name) if name.starts_with("wait_until_") => {
                    return Err(InfraError::Unreadable {
                        path: file.clone(),
                        problem: format!("{function} uses the waiter {name}: declare what it calls"),
                    });
                }
                Found::Operation(name) => pascal_case(&name),
                Found::TransactionItem(action) => action.to_owned(),
            };
            calls.push(Call {
                action: format!("{prefix}:{operation}"),
                file: file.clone(),
                function,
            });
        }
    }
    calls.sort();
    Ok(calls)
}

/// Where in `files` (test code left out) a function or method named in `names` is called, as
/// `(file, calling function, name)`; the named functions' own bodies are not searched.
pub fn calls_of(files: &[PathBuf], names: &[&str]) -> Result<Vec<(PathBuf, String, String)>, InfraError> {
    let mut found = Vec::new();
    for file in files {
        for seen in FileCode::read(file, names)?.calls {
            let name = seen.call.name();
            if names.contains(&name) {
                found.push((file.clone(), seen.within.unwrap_or_default(), name.to_owned()));
            }
        }
    }
    Ok(found)
}

fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `#[cfg(test)]`
fn is_test(attributes: &[syn::Attribute]) -> bool {
    attributes.iter().any(|attribute| {
        attribute.path().is_ident("cfg") && attribute.parse_args::<syn::Ident>().is_ok_and(|arg| arg == "test")
    })
}

enum Found {
    /// A method called on a client: an operation, e.g. `get_item`.
    Operation(String),
    /// A DynamoDB transaction item built, as the action IAM checks for it.
    TransactionItem(&'static str),
}

/// The calls made in one file's code, in the order they appear, and the first segment of every path it
/// names (which tells the SDK crates it uses). Test code and the bodies of the `skipped` functions are left
/// out.
struct FileCode<'a> {
    skipped: &'a [&'a str],
    /// The named functions around the point being visited, innermost last.
    within: Vec<String>,
    calls: Vec<Seen>,
    crates: BTreeSet<String>,
}

/// A call and the function it is made in (`None` outside any function).
struct Seen {
    within: Option<String>,
    call: Called,
}

enum Called {
    /// `receiver.method(..)`, and whether the receiver is an SDK client (`client`, `self.client`).
    Method { name: String, on_client: bool },
    /// `a::b::function(..)`, as the segments of its path.
    Function(Vec<String>),
}

impl Called {
    /// The called function's or method's own name.
    fn name(&self) -> &str {
        match self {
            Called::Method { name, .. } => name,
            Called::Function(segments) => segments.last().map_or("", String::as_str),
        }
    }

    /// What the call asks of AWS, if anything: an operation on a client, or a transaction item built.
    fn aws(self) -> Option<Found> {
        match self {
            Called::Method { name, on_client: true } => Some(Found::Operation(name)),
            Called::Method { on_client: false, .. } => None,
            Called::Function(segments) => match &segments[..] {
                [.., item, builder] if builder == "builder" => TRANSACTION_ITEMS
                    .iter()
                    .find(|(kind, _)| kind == item)
                    .map(|(_, action)| Found::TransactionItem(action)),
                _ => None,
            },
        }
    }
}

impl<'a> FileCode<'a> {
    fn read(file: &Path, skipped: &'a [&'a str]) -> Result<FileCode<'a>, InfraError> {
        let mut code = FileCode {
            skipped,
            within: Vec::new(),
            calls: Vec::new(),
            crates: BTreeSet::new(),
        };
        code.visit_file(&parse(file)?);
        Ok(code)
    }

    /// Whether a function's body is searched: not test code, not one of the skipped functions.
    fn enters(&self, attributes: &[syn::Attribute], name: &str) -> bool {
        !is_test(attributes) && !self.skipped.contains(&name)
    }

    fn note(&mut self, call: Called) {
        let within = self.within.last().cloned();
        self.calls.push(Seen { within, call });
    }
}

fn is_client(receiver: &syn::Expr) -> bool {
    match receiver {
        syn::Expr::Path(path) => path.path.is_ident("client"),
        syn::Expr::Field(field) => matches!(&field.member, syn::Member::Named(name) if name == "client"),
        _ => false,
    }
}

impl<'ast> Visit<'ast> for FileCode<'_> {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if !is_test(&module.attrs) {
            visit::visit_item_mod(self, module);
        }
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        let name = function.sig.ident.to_string();
        if self.enters(&function.attrs, &name) {
            self.within.push(name);
            visit::visit_item_fn(self, function);
            self.within.pop();
        }
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        let name = function.sig.ident.to_string();
        if self.enters(&function.attrs, &name) {
            self.within.push(name);
            visit::visit_impl_item_fn(self, function);
            self.within.pop();
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.note(Called::Method {
            name: call.method.to_string(),
            on_client: is_client(&call.receiver),
        });
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(path) = &*call.func {
            let segments = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.note(Called::Function(segments));
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first() {
            self.crates.insert(first.ident.to_string());
        }
        visit::visit_path(self, path);
    }

    fn visit_use_path(&mut self, path: &'ast syn::UsePath) {
        self.crates.insert(path.ident.to_string());
        visit::visit_use_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The actions `aws_calls` finds in `source`, written to a file of its own for the call.
    fn actions_in(name: &str, source: &str, skipped: &[&str]) -> Result<Vec<String>, InfraError> {
        let dir = std::env::temp_dir().join(format!("kindly-infra-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("source.rs");
        std::fs::write(&file, source).unwrap();
        let found = aws_calls(std::slice::from_ref(&file), skipped);
        std::fs::remove_dir_all(&dir).unwrap();
        Ok(found?.into_iter().map(|call| call.action).collect())
    }

    #[test]
    fn client_calls_and_transaction_items_become_actions() {
        let source = r#"
            use aws_sdk_dynamodb::types::{Put, Update};
            struct Store { client: aws_sdk_dynamodb::Client }
            impl Store {
                async fn read(&self) { self.client.batch_get_item().send().await; }
                async fn write(&self) {
                    let put = Put::builder().build();
                    let update = Update::builder().build();
                    self.client.transact_write_items().send().await;
                }
                async fn setup(&self) { self.client.create_table().send().await; }
            }
            #[cfg(test)]
            mod tests { fn t(client: aws_sdk_dynamodb::Client) { client.delete_table(); } }
        "#;
        assert_eq!(
            actions_in("skipping", source, &["setup"]).unwrap(),
            ["dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        );
        let everything = actions_in("everything", source, &[]).unwrap();
        assert!(
            everything.contains(&"dynamodb:CreateTable".to_owned()),
            "{everything:?}"
        );
    }

    #[test]
    fn a_file_mixing_services_is_refused() {
        let source = "fn f(client: aws_sdk_sesv2::Client, other: aws_sdk_dynamodb::Client) { client.get_account(); }";
        let error = actions_in("mixed", source, &[]).unwrap_err();
        assert!(
            matches!(&error, InfraError::Unreadable { problem, .. } if problem.contains("names 2 of the SDK crates")),
            "{error}"
        );
    }
}
