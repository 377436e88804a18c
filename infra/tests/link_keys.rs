//! The keys of customers' page links in infra/template.yaml, held to the code: the stack generates a value
//! `LinkKeys::from_lines` reads as one key; each function may read exactly the secrets its environment names
//! (the variables its code reads them by), so the link keys' permission is granted exactly where they are
//! read; the links point at the HTTP API that serves the pages, and that route is open and throttled.

use kindly_aws::config::vars;
use kindly_infra::template::{Template, get, render};
use std::collections::{BTreeMap, BTreeSet};

fn template() -> Template {
    Template::of_repository().expect("infra/template.yaml reads")
}

/// The variables through which the code is told of a secret, and so reads it.
const SECRET_VARIABLES: [&str; 2] = [vars::LINK_SECRET_ID, kindly_approvals::vars::STRIPE_SECRET_ID];

#[test]
fn each_function_may_read_exactly_the_secrets_it_is_told_of() {
    let template = template();
    let mut told_of_link_keys = BTreeSet::new();
    for function in template.functions() {
        let told: BTreeSet<String> = SECRET_VARIABLES
            .iter()
            .filter_map(|name| function.environment.get(*name).cloned())
            .collect();
        let granted: BTreeSet<String> = function
            .statements()
            .into_iter()
            .filter(|statement| statement.actions.iter().any(|a| a == "secretsmanager:GetSecretValue"))
            .flat_map(|statement| statement.resources)
            .collect();
        assert_eq!(granted, told, "{}: the secrets it may read", function.binary);
        if told.contains("!Ref CustomerLinkKeys") {
            told_of_link_keys.insert(function.binary.clone());
        }
    }
    // Every function composes messages (a pass, a send-time cancel, a skip, a payment or a bounce plans a
    // customer again), and the approvals function verifies the links on the pages: each reads the keys
    assert_eq!(
        told_of_link_keys,
        BTreeSet::from(["scan", "send", "events", "approvals", "webhook"].map(String::from)),
    );
    for function in template.functions() {
        assert_eq!(
            function.environment.get(vars::LINK_SECRET_ID).map(String::as_str),
            Some("!Ref CustomerLinkKeys"),
            "{}",
            function.binary
        );
    }
}

#[test]
fn the_stack_generates_one_link_key_the_code_reads() {
    let template = template();
    let secret = template.resource("CustomerLinkKeys").expect("the link keys' secret");
    assert_eq!(render(&secret["Type"]), "AWS::SecretsManager::Secret");
    let generate = get(secret, &["Properties", "GenerateSecretString"]).expect("a generated value");
    let field = |name: &str| generate.get(name).map(render);
    assert_eq!(field("PasswordLength").as_deref(), Some("64"));
    assert_eq!(field("ExcludePunctuation").as_deref(), Some("true"));
    assert_eq!(field("SecretStringTemplate"), None, "a bare value, not JSON");
    assert_ne!(field("IncludeSpace").as_deref(), Some("true"));
    // What the generator may draw from: letters and digits, less the excluded characters
    let excluded = field("ExcludeCharacters").unwrap_or_default();
    let alphabet: Vec<char> = ('a'..='z')
        .chain('A'..='Z')
        .chain('0'..='9')
        .filter(|c| !excluded.contains(*c))
        .collect();
    let hex: BTreeSet<char> = ('a'..='f').chain('A'..='F').chain('0'..='9').collect();
    assert_eq!(
        alphabet.iter().copied().collect::<BTreeSet<_>>(),
        hex,
        "exactly the hex digits"
    );
    // Any value drawn from it is one key: every character, both cases, in every position
    for start in 0..alphabet.len() {
        let generated: String = alphabet.iter().cycle().skip(start).take(64).collect();
        let keys = kindly_core::link::LinkKeys::from_lines(&generated).unwrap_or_else(|e| panic!("{generated}: {e}"));
        assert_eq!(keys.len(), 1);
    }
}

#[test]
fn links_point_at_the_api_that_serves_the_pages_whose_route_is_open_and_throttled() {
    let template = template();
    let page_url = render(
        template
            .get(&["Outputs", "PageUrl", "Value"])
            .expect("the PageUrl output"),
    );
    let api = page_url.trim_end_matches('/');
    let expected = format!("!If [HasPublicUrl, !Ref PublicUrl, {api}]");
    for function in template.functions() {
        assert_eq!(
            function.environment.get(vars::PUBLIC_URL),
            Some(&expected),
            "{}",
            function.binary
        );
    }
    assert_eq!(
        template.get(&["Outputs", "CustomerPagesUrl", "Value"]).map(render),
        Some(expected)
    );
    let route = template
        .resource("CustomerPageRoute")
        .expect("the customer page's route");
    let property = |name: &str| get(route, &["Properties", name]).map(render);
    assert_eq!(property("RouteKey").as_deref(), Some("GET /c/{token}"));
    assert_eq!(property("AuthorizationType").as_deref(), Some("NONE"));
    assert_eq!(
        property("Target").as_deref(),
        Some("!Sub integrations/${ApprovalsIntegration}")
    );
    let stage = template.resource("HttpApiStage").expect("the stage");
    let throttles: BTreeMap<String, String> = get(stage, &["Properties", "RouteSettings", "GET /c/{token}"])
        .and_then(|settings| settings.as_mapping())
        .expect("the page's route has its own throttle")
        .iter()
        .map(|(name, value)| (render(name), render(value)))
        .collect();
    let limit = |name: &str| throttles.get(name).and_then(|value| value.parse::<u32>().ok());
    let default = |name: &str| {
        get(stage, &["Properties", "DefaultRouteSettings", name])
            .map(render)
            .and_then(|value| value.parse::<u32>().ok())
    };
    let answers: BTreeMap<String, String> = get(stage, &["Properties", "RouteSettings", "POST /c/{token}/answer"])
        .and_then(|settings| settings.as_mapping())
        .expect("the answers' route has its own throttle")
        .iter()
        .map(|(name, value)| (render(name), render(value)))
        .collect();
    let answer_limit = |name: &str| answers.get(name).and_then(|value| value.parse::<u32>().ok());
    for name in ["ThrottlingBurstLimit", "ThrottlingRateLimit"] {
        assert!(
            limit(name).is_some_and(|own| default(name).is_some_and(|all| own < all)),
            "{name}: below the other routes' ceiling"
        );
        assert!(
            answer_limit(name).is_some_and(|own| limit(name).is_some_and(|page| own <= page)),
            "{name}: answers no more often than visits"
        );
    }
    // The stage names the routes, so it must be created after them
    let depends = get(stage, &["DependsOn"]).map(render).unwrap_or_default();
    assert!(
        depends.contains("CustomerPageRoute") && depends.contains("CustomerAnswerRoute"),
        "{depends}"
    );
}
