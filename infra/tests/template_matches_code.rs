//! infra/template.yaml against the code, without AWS: each function's policy allows exactly the actions its
//! crate declares (and the crates' source calls nothing else), on this stack's resources only; every
//! environment variable a function gets is one the code reads; the table, its indexes and TTL are the ones
//! the store uses; the schedules deliver an event the handlers read; the routes guard what they should (only
//! `/api/*` needs a token: the page, its assets and its sign-in settings come before one).

use kindly_infra::calls::{aws_calls, calls_of, package_sources};
use kindly_infra::repository_root;
use kindly_infra::template::{Function, Template, get, list, render};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Each function's binary and the actions its crate declares for it.
fn declared() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        ("scan", kindly_aws::iam::SCAN),
        ("send", kindly_aws::iam::SEND),
        ("events", kindly_aws::iam::EVENTS),
        ("approvals", kindly_approvals::iam::APPROVALS),
        ("webhook", kindly_approvals::iam::WEBHOOK),
    ])
}

fn template() -> Template {
    Template::of_repository().expect("infra/template.yaml reads")
}

fn function<'t>(template: &'t Template, binary: &str) -> Function<'t> {
    template
        .function(binary)
        .unwrap_or_else(|| panic!("the template builds no function from the `{binary}` binary"))
}

/// The resources each action may be granted on: the table for item actions, its indexes for queries, the
/// sending identity and configuration set for SES (any identity only while in the sandbox), the stack's
/// secrets (which function may read which: `link_keys.rs`), the stored replies in the replies bucket;
/// GetAccount has no resource to name.
fn allowed_resources(action: &str) -> Vec<&'static str> {
    match action {
        "dynamodb:Query" => vec!["!Sub ${Table.Arn}/index/*"],
        "ses:SendEmail" => vec![
            "!Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderDomain}",
            "!Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${ConfigurationSet}",
            "!If [InSesSandbox, !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*, \
             !Ref AWS::NoValue]",
        ],
        "ses:GetAccount" => vec!["*"],
        "s3:GetObject" => vec!["!Sub ${ReplyBucket.Arn}/replies/*"],
        "secretsmanager:GetSecretValue" => vec!["!Ref StripeSigningSecret", "!Ref CustomerLinkKeys"],
        action if action.starts_with("dynamodb:") => vec!["!GetAtt Table.Arn"],
        _ => vec![],
    }
}

#[test]
fn each_policy_allows_exactly_the_declared_actions_on_the_stacks_own_resources() {
    let template = template();
    let binaries: BTreeSet<String> = template.functions().into_iter().map(|f| f.binary).collect();
    assert_eq!(
        binaries,
        declared().keys().map(|b| b.to_string()).collect(),
        "one function per declared binary"
    );
    for (binary, actions) in declared() {
        let function = function(&template, binary);
        let expected: BTreeSet<String> = actions.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            function.allowed_actions(),
            expected,
            "{} ({binary}) must allow exactly what its crate declares",
            function.logical_id
        );
        for statement in function.statements() {
            assert_eq!(statement.effect, "Allow", "{binary}: {statement:?}");
            for action in &statement.actions {
                let allowed = allowed_resources(action);
                for resource in &statement.resources {
                    assert!(
                        allowed.contains(&resource.as_str()),
                        "{binary}: {action} is granted on {resource}; only on {allowed:?}"
                    );
                }
            }
        }
        // The SES statement is of no use without both: SES checks the identity and the configuration set
        if function.allowed_actions().contains("ses:SendEmail") {
            let resources: Vec<String> = function
                .statements()
                .into_iter()
                .filter(|s| s.actions.iter().any(|a| a == "ses:SendEmail"))
                .flat_map(|s| s.resources)
                .collect();
            assert_eq!(resources.len(), 3, "{binary}: {resources:?}");
        }
    }
}

/// The Rust files of the two Lambda packages (libraries and binaries).
fn lambda_sources() -> Vec<PathBuf> {
    let root = repository_root();
    ["functions/aws", "functions/approvals"]
        .iter()
        .flat_map(|package| package_sources(&root.join(package)).expect("the package's sources"))
        .collect()
}

#[test]
fn the_code_calls_exactly_the_actions_the_functions_declare() {
    let calls = aws_calls(&lambda_sources(), kindly_aws::iam::NOT_ON_LAMBDA).expect("the sources parse");
    let called: BTreeSet<&str> = calls.iter().map(|call| call.action.as_str()).collect();
    let granted: BTreeSet<&str> = declared()
        .values()
        .flat_map(|actions| actions.iter().copied())
        .collect();
    let where_called = |action: &str| -> Vec<String> {
        calls
            .iter()
            .filter(|call| call.action == action)
            .map(|call| format!("{} in {}", call.function, call.file.display()))
            .collect()
    };
    let undeclared: Vec<(&str, Vec<String>)> = called
        .difference(&granted)
        .map(|action| (*action, where_called(action)))
        .collect();
    assert!(
        undeclared.is_empty(),
        "called but no function declares them (add each to the kindly_aws::iam or kindly_approvals::iam \
         list of the function that calls it, and to that function's policy): {undeclared:?}"
    );
    let uncalled: Vec<&&str> = granted.difference(&called).collect();
    assert!(
        uncalled.is_empty(),
        "declared but nothing in the Lambda packages calls them (drop them from the lists): {uncalled:?}"
    );
    // The functions kept off the list really are off the Lambdas' paths.
    let root = repository_root();
    let mut reachable = lambda_sources();
    for package in ["functions/web", "functions/core", "functions/mail", "render-wasm"] {
        reachable.extend(package_sources(&root.join(package)).expect("the package's sources"));
    }
    let uses = calls_of(&reachable, kindly_aws::iam::NOT_ON_LAMBDA).expect("the sources parse");
    assert!(
        uses.is_empty(),
        "code that runs in a Lambda calls functions declared as never running there: {uses:?}"
    );
}

#[test]
fn every_environment_variable_is_one_the_code_reads_and_names_this_stacks_resources() {
    let template = template();
    let read: BTreeSet<&str> = kindly_aws::config::vars::ALL
        .iter()
        .chain(kindly_approvals::vars::ALL.iter())
        .copied()
        .collect();
    use kindly_approvals::vars as web_vars;
    use kindly_aws::config::vars;
    for function in template.functions() {
        for name in function.environment.keys() {
            assert!(
                read.contains(name.as_str()),
                "{} sets {name}, which no code reads",
                function.binary
            );
        }
        assert_eq!(
            function.environment.get(vars::TABLE).map(String::as_str),
            Some("!Ref Table"),
            "{}",
            function.binary
        );
        assert_eq!(
            function.environment.get(vars::SHARDS).map(String::as_str),
            Some("!Ref Shards")
        );
    }
    let env = |binary: &str, name: &str| function(&template, binary).environment.get(name).cloned();
    // The configuration set the send function names is the one the template wires bounces to
    assert_eq!(
        env("send", vars::SES_CONFIGURATION_SET).as_deref(),
        Some("!Ref ConfigurationSet")
    );
    let destination = template
        .resource("BouncesAndComplaints")
        .expect("the event destination");
    assert_eq!(
        get(destination, &["Properties", "ConfigurationSetName"])
            .map(render)
            .as_deref(),
        Some("!Ref ConfigurationSet")
    );
    // The webhook reads the secret its policy lets it read
    assert_eq!(
        env("webhook", web_vars::STRIPE_SECRET_ID).as_deref(),
        Some("!Ref StripeSigningSecret")
    );
    // The page signs in with the client the authorizer accepts tokens for
    assert_eq!(
        env("approvals", web_vars::COGNITO_CLIENT_ID).as_deref(),
        Some("!Ref PageClient")
    );
    // The page is handed the hosted sign-in's origin, https:// included
    assert!(
        env("approvals", web_vars::COGNITO_DOMAIN)
            .is_some_and(|domain| domain.starts_with("!Sub https://${StaffSignInDomain}.auth."))
    );
    // send asks SES for the send rate (GetAccount) unless one is configured: the stack may leave the rate
    // unset (an `!If` falling back to AWS::NoValue) exactly when send is granted GetAccount, and must set a
    // fixed rate otherwise
    let may_ask = declared()["send"].contains(&"ses:GetAccount");
    let rate = env("send", vars::MAX_SEND_RATE);
    let optional = rate
        .as_deref()
        .is_some_and(|rate| rate.starts_with("!If [") && rate.ends_with(", !Ref AWS::NoValue]"));
    assert_eq!(
        optional,
        may_ask,
        "send's {} is {rate:?}: it may be left unset only if send may call ses:GetAccount (which it {})",
        vars::MAX_SEND_RATE,
        if may_ask { "does" } else { "does not" }
    );
    let fixed = rate.as_deref().is_some_and(|rate| rate.parse::<f64>().is_ok());
    assert!(
        may_ask || fixed,
        "send is not granted ses:GetAccount, so it needs a fixed {}: {rate:?}",
        vars::MAX_SEND_RATE
    );
}

#[test]
fn the_table_has_the_keys_indexes_and_expiry_the_store_uses() {
    let template = template();
    let table = template.resource("Table").expect("the table");
    let property = |path: &[&str]| {
        let mut full = vec!["Properties"];
        full.extend_from_slice(path);
        get(table, &full)
    };
    let key_schema = |schema: Option<&serde_norway::Value>| -> Vec<String> {
        list(schema)
            .into_iter()
            .map(|key| format!("{} {}", render(&key["AttributeName"]), render(&key["KeyType"])))
            .collect()
    };
    let (partition, sort) = kindly_aws::dynamo::TABLE_KEY;
    assert_eq!(
        key_schema(property(&["KeySchema"])),
        [format!("{partition} HASH"), format!("{sort} RANGE")]
    );
    let indexes: BTreeMap<String, (Vec<String>, String)> = list(property(&["GlobalSecondaryIndexes"]))
        .into_iter()
        .map(|index| {
            (
                render(&index["IndexName"]),
                (
                    key_schema(index.get("KeySchema")),
                    render(&index["Projection"]["ProjectionType"]),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<String, (Vec<String>, String)> = kindly_aws::dynamo::INDEXES
        .iter()
        .map(|(name, hash, range)| {
            (
                name.to_string(),
                (vec![format!("{hash} HASH"), format!("{range} RANGE")], "ALL".to_owned()),
            )
        })
        .collect();
    assert_eq!(indexes, expected);
    let mut attributes: Vec<String> = list(property(&["AttributeDefinitions"]))
        .into_iter()
        .map(|a| format!("{} {}", render(&a["AttributeName"]), render(&a["AttributeType"])))
        .collect();
    attributes.sort();
    let mut keys: Vec<String> = kindly_aws::dynamo::INDEXES
        .iter()
        .flat_map(|(_, hash, range)| [hash, range])
        .chain([&partition, &sort])
        .map(|name| format!("{name} S"))
        .collect();
    keys.sort();
    assert_eq!(attributes, keys, "every key attribute is defined, as a string");
    assert_eq!(
        property(&["TimeToLiveSpecification"]).map(render).as_deref(),
        Some(format!("{{AttributeName: {}, Enabled: true}}", kindly_aws::dynamo::EXPIRES_AT).as_str())
    );
    assert_eq!(
        property(&["BillingMode"]).map(render).as_deref(),
        Some("PAY_PER_REQUEST")
    );
    assert_eq!(
        property(&["PointInTimeRecoverySpecification"]).map(render).as_deref(),
        Some("{PointInTimeRecoveryEnabled: true}")
    );
    assert_eq!(
        property(&["DeletionProtectionEnabled"]).map(render).as_deref(),
        Some("!If [ProtectData, true, false]")
    );
    // Nothing pins the table's name: the functions are told it
    assert!(property(&["TableName"]).is_none());
}

#[test]
fn the_schedules_deliver_an_event_the_handlers_read() {
    use aws_lambda_events::eventbridge::EventBridgeEvent;
    let template = template();
    for binary in ["scan", "send"] {
        let function = function(&template, binary);
        let schedules = function.schedules();
        assert_eq!(schedules.len(), 1, "{binary} has one schedule");
        let schedule = schedules[0];
        let field = |name: &str| get(schedule, &[name]).map(render);
        assert_eq!(
            field("ScheduleExpressionTimezone").as_deref(),
            Some("!Ref ScheduleTimeZone")
        );
        assert!(field("FlexibleTimeWindow").is_some_and(|w| w.contains("Mode: FLEXIBLE")));
        assert!(field("RetryPolicy").is_some() && field("DeadLetterConfig").is_some());
        assert_eq!(field("OmitName").as_deref(), Some("true"), "two stacks in one account");
        // Scheduler fills in the scheduled time; the handler plans or sends as of that time
        let input = field("Input").expect("the schedule's input");
        let delivered = input.replace("<aws.scheduler.scheduled-time>", "2026-03-16T06:00:00Z");
        let event: EventBridgeEvent =
            serde_json::from_str(&delivered).unwrap_or_else(|e| panic!("{binary}: {e}: {delivered}"));
        assert_eq!(event.time, Some("2026-03-16T06:00:00Z".parse().unwrap()));
    }
}

#[test]
fn the_webhook_is_open_staff_routes_need_a_staff_token_and_ingest_a_machine_token() {
    let template = template();
    let integrations: BTreeMap<&str, String> = template
        .resources_of_type("AWS::ApiGatewayV2::Integration")
        .into_iter()
        .map(|(id, integration)| (id, render(&integration["Properties"]["IntegrationUri"])))
        .collect();
    let routes: BTreeMap<String, (String, String, String)> = template
        .resources_of_type("AWS::ApiGatewayV2::Route")
        .into_iter()
        .map(|(_, route)| {
            let properties = &route["Properties"];
            let target = render(&properties["Target"]);
            let integration = target
                .strip_prefix("!Sub integrations/${")
                .and_then(|rest| rest.strip_suffix('}'))
                .unwrap_or_else(|| panic!("an integration target: {target}"));
            (
                render(&properties["RouteKey"]),
                (
                    render(&properties["AuthorizationType"]),
                    integrations[integration].clone(),
                    format!(
                        "{} {}",
                        render(&properties["AuthorizerId"]),
                        render(&properties["AuthorizationScopes"])
                    ),
                ),
            )
        })
        .collect();
    let open = |function: &str| {
        (
            "NONE".to_owned(),
            format!("!GetAtt {function}.Arn"),
            "null null".to_owned(),
        )
    };
    let guarded = |by: &str| {
        (
            "JWT".to_owned(),
            "!GetAtt ApprovalsFunction.Arn".to_owned(),
            by.to_owned(),
        )
    };
    let ingest = guarded("!Ref IngestAuthorizer [kindly/ingest]");
    assert_eq!(
        routes,
        BTreeMap::from([
            ("GET /".to_owned(), open("ApprovalsFunction")),
            ("GET /assets/{name}".to_owned(), open("ApprovalsFunction")),
            ("GET /auth/config".to_owned(), open("ApprovalsFunction")),
            ("ANY /api/{proxy+}".to_owned(), guarded("!Ref StaffAuthorizer null")),
            ("PUT /api/invoices/{id}".to_owned(), ingest.clone()),
            ("PUT /api/customers/{id}".to_owned(), ingest),
            ("POST /webhooks/stripe".to_owned(), open("WebhookFunction")),
            ("GET /c/{token}".to_owned(), open("ApprovalsFunction")),
            ("POST /c/{token}/answer".to_owned(), open("ApprovalsFunction")),
        ])
    );
    assert_eq!(function(&template, "approvals").logical_id, "ApprovalsFunction");
    assert_eq!(function(&template, "webhook").logical_id, "WebhookFunction");
    let authorizer = &template.resource("StaffAuthorizer").expect("the authorizer")["Properties"];
    assert_eq!(
        render(&authorizer["JwtConfiguration"]),
        "{Issuer: !Sub https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${StaffPool}, Audience: [!Ref PageClient]}"
    );
    let ingest = &template.resource("IngestAuthorizer").expect("the ingest authorizer")["Properties"];
    assert_eq!(
        render(&ingest["JwtConfiguration"]),
        "{Issuer: !Sub https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${StaffPool}, Audience: [!Ref IngestClient]}"
    );
    let client = &template.resource("IngestClient").expect("the ingest client")["Properties"];
    assert_eq!(render(&client["AllowedOAuthFlows"]), "[client_credentials]");
    assert_eq!(render(&client["AllowedOAuthScopes"]), "[kindly/ingest]");
    for output in ["PageUrl", "WebhookUrl"] {
        assert!(template.get(&["Outputs", output, "Value"]).is_some(), "output {output}");
    }
}

#[test]
fn each_function_is_built_from_a_binary_of_its_package() {
    let template = template();
    let infra = repository_root().join("infra");
    for function in template.functions() {
        let manifest = std::fs::read_to_string(infra.join(&function.code_uri).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("{}: CodeUri {}: {e}", function.binary, function.code_uri));
        let manifest: toml::Table = manifest.parse().unwrap();
        let bins: Vec<&str> = manifest["bin"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|bin| bin.get("name")?.as_str())
            .collect();
        assert!(
            bins.contains(&function.binary.as_str()),
            "{} builds `{}` from {}, whose binaries are {bins:?}",
            function.logical_id,
            function.binary,
            function.code_uri
        );
        assert_eq!(
            get(function.properties, &["Architectures"]).map(render).as_deref(),
            None,
            "architecture and runtime are set once, in Globals"
        );
    }
    assert_eq!(
        template
            .get(&["Globals", "Function", "Architectures"])
            .map(render)
            .as_deref(),
        Some("[arm64]")
    );
    assert_eq!(
        template.get(&["Globals", "Function", "Runtime"]).map(render).as_deref(),
        Some("provided.al2023")
    );
}

#[test]
fn the_stack_generates_the_signing_secret_and_the_webhook_refuses_it_until_replaced() {
    let template = template();
    let secrets = template.resources_of_type("AWS::SecretsManager::Secret");
    assert!(
        !secrets.is_empty(),
        "the template keeps Stripe's signing secret in Secrets Manager"
    );
    for (id, secret) in secrets {
        let property = |name: &str| get(secret, &["Properties", name]);
        // A value written in the template is public: anyone could sign "paid" events with it
        assert!(
            property("SecretString").is_none(),
            "{id} has a fixed SecretString; generate it (GenerateSecretString)"
        );
        let generate = property("GenerateSecretString").unwrap_or_else(|| panic!("{id} is not generated"));
        // A bare random string (no JSON template around it), long enough not to be guessed
        assert!(
            generate.get("SecretStringTemplate").is_none(),
            "{id}: {}",
            render(generate)
        );
        let length: usize = generate
            .get("PasswordLength")
            .map(render)
            .and_then(|length| length.parse().ok())
            .unwrap_or(32);
        assert!(length >= 32, "{id}: {length} characters");
        // Without punctuation it has no `_`, so it never reads as an endpoint secret (whsec_...): the webhook
        // does not start on whatever it generates
        assert_eq!(
            generate.get("ExcludePunctuation").map(render).as_deref(),
            Some("true"),
            "{id}"
        );
        let generated: String = "whsecWHSEC09".chars().cycle().take(length).collect();
        assert!(
            kindly_web::StripeWebhook::from_lines(&generated, 300).is_err(),
            "{id}: {generated}"
        );
    }
}

#[test]
fn staff_sign_in_needs_a_second_factor_unless_the_stack_says_otherwise() {
    let template = template();
    let pools = template.resources_of_type("AWS::Cognito::UserPool");
    assert!(!pools.is_empty(), "the staff user pool");
    for (id, pool) in pools {
        // Whoever signs in approves what customers are sent: the pool's MFA is the StaffMfa parameter
        assert_eq!(
            get(pool, &["Properties", "MfaConfiguration"]).map(render).as_deref(),
            Some("!Ref StaffMfa"),
            "{id}"
        );
        assert_eq!(
            get(pool, &["Properties", "EnabledMfas"]).map(render).as_deref(),
            Some("[SOFTWARE_TOKEN_MFA]"),
            "{id}"
        );
    }
    let parameter = |field: &str| template.get(&["Parameters", "StaffMfa", field]).map(render);
    assert_eq!(
        parameter("Default").as_deref(),
        Some("ON"),
        "on unless the stack says otherwise"
    );
    assert_eq!(parameter("AllowedValues").as_deref(), Some("[ON, OPTIONAL]"));
}

#[test]
fn replies_are_stored_where_the_events_function_reads_them_and_nowhere_else() {
    use kindly_aws::config::vars;
    let template = template();
    let at = |resource: &str, path: &[&str]| {
        let resource = template
            .resource(resource)
            .unwrap_or_else(|| panic!("the template has no {resource}"));
        get(resource, path).map(render).unwrap_or_default()
    };
    // Every function composes messages, so every one knows the reply domain (when there is one)
    for function in template.functions() {
        assert_eq!(
            function.environment.get(vars::REPLY_DOMAIN).map(String::as_str),
            Some("!If [HasReplyDomain, !Ref ReplyDomain, !Ref AWS::NoValue]"),
            "{}",
            function.binary
        );
    }
    // The rule stores under the prefix the events function may read, in the bucket it is told of, and
    // notifies the topic whose queue feeds it
    let events = function(&template, "events");
    assert_eq!(
        events.environment.get(vars::REPLY_BUCKET).map(String::as_str),
        Some("!Ref ReplyBucket")
    );
    let rule = template.resource("ReplyRule").expect("the receipt rule");
    let s3_action = get(rule, &["Properties", "Rule", "Actions"])
        .and_then(|actions| list(Some(actions)).first().copied())
        .and_then(|first| get(first, &["S3Action"]))
        .expect("the rule's first action stores the message in S3");
    let field = |name: &str| get(s3_action, &[name]).map(render).unwrap_or_default();
    assert_eq!(field("BucketName"), "!Ref ReplyBucket");
    assert_eq!(field("TopicArn"), "!Ref MailEventsTopic");
    let prefix = field("ObjectKeyPrefix");
    let reads: Vec<String> = events
        .statements()
        .into_iter()
        .filter(|statement| statement.actions.iter().any(|a| a == "s3:GetObject"))
        .flat_map(|statement| statement.resources)
        .collect();
    assert_eq!(reads, [format!("!Sub ${{ReplyBucket.Arn}}/{prefix}*")]);
    assert_eq!(
        at("MailEventsSubscription", &["Properties", "TopicArn"]),
        "!Ref MailEventsTopic"
    );
    assert_eq!(
        at("MailEventsSubscription", &["Properties", "Endpoint"]),
        "!GetAtt MailEventsQueue.Arn"
    );
    assert_eq!(
        at("ReplyRule", &["Properties", "Rule", "Recipients"]),
        "[!Ref ReplyDomain]"
    );
    assert_eq!(at("ReplyRule", &["Properties", "Rule", "ScanEnabled"]), "true");
    assert_eq!(at("ReplyRule", &["Condition"]), "HasReplyDomain");
    assert_eq!(at("ReplyRuleSet", &["Condition"]), "HasReplyDomain");

    // The bucket: encrypted, never public, and it forgets
    let encryption = at(
        "ReplyBucket",
        &["Properties", "BucketEncryption", "ServerSideEncryptionConfiguration"],
    );
    assert!(encryption.contains("SSEAlgorithm: AES256"), "{encryption}");
    let blocked = at("ReplyBucket", &["Properties", "PublicAccessBlockConfiguration"]);
    assert_eq!(blocked.matches(": true").count(), 4, "{blocked}");
    let lifecycle = at("ReplyBucket", &["Properties", "LifecycleConfiguration", "Rules"]);
    assert!(
        lifecycle.contains("ExpirationInDays: 90") && lifecycle.contains("Status: Enabled"),
        "{lifecycle}"
    );

    // Only SES, for this account's rule set, may put objects there, and only under the prefix
    let policy = template.resource("ReplyBucketPolicy").expect("the bucket policy");
    let statements = list(get(policy, &["Properties", "PolicyDocument", "Statement"]));
    let allows: Vec<_> = statements
        .iter()
        .filter(|s| get(s, &["Effect"]).map(render).as_deref() == Some("Allow"))
        .collect();
    assert_eq!(allows.len(), 1, "one grant, to SES");
    let grant = allows[0];
    let text = |path: &[&str]| get(grant, path).map(render).unwrap_or_default();
    assert_eq!(text(&["Principal"]), "{Service: ses.amazonaws.com}");
    assert_eq!(text(&["Action"]), "s3:PutObject");
    assert_eq!(text(&["Resource"]), format!("!Sub ${{ReplyBucket.Arn}}/{prefix}*"));
    assert_eq!(
        text(&["Condition", "StringEquals", "AWS:SourceAccount"]),
        "!Ref AWS::AccountId"
    );
    let rule_set = at("ReplyRuleSet", &["Properties", "RuleSetName"]);
    let name = rule_set.trim_start_matches("!Sub ");
    assert!(
        text(&["Condition", "ArnLike", "AWS:SourceArn"]).contains(&format!(":receipt-rule-set/{name}:receipt-rule/")),
        "the grant names the stack's rule set ({name})"
    );
    // ... and nobody reads it over plain HTTP
    let denies_plain = statements.iter().any(|s| {
        get(s, &["Effect"]).map(render).as_deref() == Some("Deny")
            && get(s, &["Condition", "Bool", "aws:SecureTransport"])
                .map(render)
                .as_deref()
                == Some("false")
    });
    assert!(denies_plain);
}
