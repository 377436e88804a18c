//! The SAM template, read as YAML with CloudFormation's short-form tags (`!Ref`, `!Sub`, `!GetAtt`, `!If`)
//! kept. Expressions are compared as text in one canonical form ([`render`]), so a test can say "this is
//! `!GetAtt Table.Arn`" whether the template spells it short or long.

use crate::{InfraError, read};
use serde_norway::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A parsed template.
pub struct Template {
    pub path: PathBuf,
    root: Value,
}

/// One `AWS::Serverless::Function`, with what the checks need of it.
pub struct Function<'t> {
    pub logical_id: &'t str,
    /// The Cargo binary SAM builds for it (`Metadata.BuildProperties.Binary`).
    pub binary: String,
    /// The package directory SAM builds in (`CodeUri`, relative to the template).
    pub code_uri: String,
    pub properties: &'t Value,
    /// Its environment variables, the template's `Globals` included, each value rendered.
    pub environment: BTreeMap<String, String>,
}

/// One statement of a function's inline policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: String,
    pub effect: String,
    pub actions: Vec<String>,
    /// Each resource rendered (see [`render`]).
    pub resources: Vec<String>,
}

impl Template {
    pub fn load(path: &Path) -> Result<Template, InfraError> {
        let text = read(path)?;
        let root = serde_norway::from_str(&text).map_err(|source| InfraError::Yaml {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Template {
            path: path.to_path_buf(),
            root,
        })
    }

    /// `infra/template.yaml` of this repository.
    pub fn of_repository() -> Result<Template, InfraError> {
        Template::load(&crate::repository_root().join("infra/template.yaml"))
    }

    pub fn get(&self, path: &[&str]) -> Option<&Value> {
        get(&self.root, path)
    }

    /// Every resource, by logical id.
    pub fn resources(&self) -> Vec<(&str, &Value)> {
        self.get(&["Resources"])
            .and_then(Value::as_mapping)
            .map(|resources| {
                resources
                    .iter()
                    .filter_map(|(id, resource)| Some((id.as_str()?, resource)))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.get(&["Resources", logical_id])
    }

    /// The resources of one CloudFormation or SAM type.
    pub fn resources_of_type(&self, kind: &str) -> Vec<(&str, &Value)> {
        self.resources()
            .into_iter()
            .filter(|(_, resource)| get(resource, &["Type"]).and_then(Value::as_str) == Some(kind))
            .collect()
    }

    /// Every serverless function.
    pub fn functions(&self) -> Vec<Function<'_>> {
        let globals = environment_of(self.get(&["Globals", "Function"]));
        self.resources_of_type("AWS::Serverless::Function")
            .into_iter()
            .map(|(logical_id, resource)| {
                let properties = get(resource, &["Properties"]).unwrap_or(&Value::Null);
                let mut environment = globals.clone();
                environment.extend(environment_of(Some(properties)));
                Function {
                    logical_id,
                    binary: text(get(resource, &["Metadata", "BuildProperties", "Binary"])),
                    code_uri: text(get(properties, &["CodeUri"])),
                    properties,
                    environment,
                }
            })
            .collect()
    }

    /// The function SAM builds from `binary`.
    pub fn function(&self, binary: &str) -> Option<Function<'_>> {
        self.functions().into_iter().find(|function| function.binary == binary)
    }
}

impl Function<'_> {
    /// The statements of its inline policies (`Policies: [{Statement: [...]}]`).
    pub fn statements(&self) -> Vec<Statement> {
        let policies = get(self.properties, &["Policies"])
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        policies
            .iter()
            .flat_map(|policy| list(get(policy, &["Statement"])))
            .map(|statement| Statement {
                sid: text(get(statement, &["Sid"])),
                effect: text(get(statement, &["Effect"])),
                actions: list(get(statement, &["Action"])).iter().map(|a| render(a)).collect(),
                resources: list(get(statement, &["Resource"])).iter().map(|r| render(r)).collect(),
            })
            .collect()
    }

    /// Every action its policies allow.
    pub fn allowed_actions(&self) -> BTreeSet<String> {
        self.statements()
            .into_iter()
            .filter(|statement| statement.effect == "Allow")
            .flat_map(|statement| statement.actions)
            .collect()
    }

    /// Its `ScheduleV2` events' properties.
    pub fn schedules(&self) -> Vec<&Value> {
        get(self.properties, &["Events"])
            .and_then(Value::as_mapping)
            .map(|events| {
                events
                    .values()
                    .filter(|event| get(event, &["Type"]).and_then(Value::as_str) == Some("ScheduleV2"))
                    .filter_map(|event| get(event, &["Properties"]))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The value at `path` of nested mappings.
pub fn get<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |value, key| value.as_mapping()?.get(*key))
}

/// A value as a list: a sequence's items, or the value alone (IAM allows both for actions and resources).
pub fn list(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(one) => vec![one],
    }
}

fn text(value: Option<&Value>) -> String {
    value.map(render).unwrap_or_default()
}

fn environment_of(holder: Option<&Value>) -> BTreeMap<String, String> {
    holder
        .and_then(|holder| get(holder, &["Environment", "Variables"]))
        .and_then(Value::as_mapping)
        .map(|variables| {
            variables
                .iter()
                .filter_map(|(name, value)| Some((name.as_str()?.to_owned(), render(value))))
                .collect()
        })
        .unwrap_or_default()
}

/// One canonical text for a value: scalars as themselves, intrinsic functions in short form whichever form
/// the template used (`!Ref Table`, `!GetAtt Table.Arn`, `!Sub ${Table.Arn}/index/*`,
/// `!If [Cond, a, b]`), sequences as `[a, b]` and mappings as `{k: v}`.
pub fn render(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        Value::Sequence(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            intrinsic(name, &tagged.value)
        }
        Value::Mapping(mapping) => {
            if mapping.len() == 1
                && let Some((key, inner)) = mapping.iter().next()
                && let Some(key) = key.as_str()
                && let Some(name) = long_form(key)
            {
                return intrinsic(name, inner);
            }
            let fields: Vec<String> = mapping
                .iter()
                .map(|(key, value)| format!("{}: {}", render(key), render(value)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
    }
}

/// `Ref` and `Fn::X` keys of the long form, as the short form's tag names.
fn long_form(key: &str) -> Option<&str> {
    if key == "Ref" || key == "Condition" {
        Some(key)
    } else {
        key.strip_prefix("Fn::")
    }
}

fn intrinsic(name: &str, argument: &Value) -> String {
    match (name, argument) {
        // The long form of GetAtt is a list: [Resource, Attribute].
        ("GetAtt", Value::Sequence(parts)) => {
            format!("!GetAtt {}", parts.iter().map(render).collect::<Vec<_>>().join("."))
        }
        _ => format!("!{name} {}", render(argument)),
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn short_and_long_forms_render_alike() {
        let short: serde_norway::Value = serde_norway::from_str(
            "[!Ref Table, !GetAtt Table.Arn, !Sub '${Table.Arn}/index/*', !If [C, a, !Ref AWS::NoValue]]",
        )
        .unwrap();
        let long: serde_norway::Value = serde_norway::from_str(
            "[{Ref: Table}, {'Fn::GetAtt': [Table, Arn]}, {'Fn::Sub': '${Table.Arn}/index/*'}, \
             {'Fn::If': [C, a, {Ref: AWS::NoValue}]}]",
        )
        .unwrap();
        let expected = "[!Ref Table, !GetAtt Table.Arn, !Sub ${Table.Arn}/index/*, !If [C, a, !Ref AWS::NoValue]]";
        assert_eq!(render(&short), expected);
        assert_eq!(render(&long), expected);
    }
}
