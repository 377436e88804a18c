//! `kindly serve`: the approval page, the customers' pages and (with signing secrets) Stripe's webhook on
//! 127.0.0.1 — the same router the `approvals` Lambda serves.

use crate::app::write;
use crate::customer_links;
use crate::error::LocalError;
use crate::sqlite_store::SqliteStore;
use kindly_core::Policy;
use std::io::Write;
use std::path::Path;

/// `kindly serve`: the approval page on 127.0.0.1, until interrupted.
pub(crate) async fn serve(
    store: SqliteStore,
    policy: Policy,
    port: u16,
    approver: &str,
    webhook: Option<kindly_web::StripeWebhook>,
    (links, public_url): (kindly_core::link::LinkKeys, Option<String>),
    out: &mut dyn Write,
) -> Result<(), LocalError> {
    if let Some(public_url) = &public_url {
        customer_links::under(public_url, links.clone())?;
    }
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| LocalError::Usage(format!("cannot listen on {address}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| LocalError::Usage(format!("cannot listen on {address}: {e}")))?;
    let public_url = public_url.unwrap_or_else(|| format!("http://{bound}"));
    // Drafts this server plans again (after an import, a skip, a payment) link to pages it serves.
    let policy = Policy {
        customer_links: Some(customer_links::under(&public_url, links.clone())?),
        ..policy
    };
    let (login, token) = kindly_web::LocalLogin::new(approver);
    let mut app = kindly_web::App::new(store, policy, kindly_web::Access::Local(login));
    let secrets = webhook.as_ref().map(|config| config.secrets.len());
    app.webhook = webhook;
    app.customer_links = Some(links);
    // The outbox's messages name its own domain; a dossier's messages rendered again name it too.
    app.message_id_domain = crate::outbox::MESSAGE_ID_DOMAIN.to_owned();
    let mut banner = format!(
        "The approval page is at http://{bound}/ — sign in once with this link (it works once):\n\
         http://{bound}/login?token={token}\nApprovals are recorded as {approver}. Stop with Ctrl-C.\n\
         Customers' pages are at {}/c/TOKEN (`kindly link CUSTOMER --public-url {public_url}` prints one).\n",
        public_url.trim_end_matches('/')
    );
    if let Some(secrets) = secrets {
        banner.push_str(&format!(
            "Stripe's webhook is at http://{bound}/webhooks/stripe ({secrets} signing secret(s)).\n"
        ));
    }
    // One write: a caller that reads up to the login link and then closes the pipe must not make a later
    // line fail with a broken pipe, which would stop the server.
    write(out, &banner)?;
    out.flush().map_err(|e| LocalError::io(Path::new("<stdout>"), e))?;
    axum::serve(listener, kindly_web::router(std::sync::Arc::new(app)))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| LocalError::Usage(format!("the server stopped: {e}")))
}

/// The webhook's signing secrets from a file, one per line ([`kindly_web::StripeWebhook::from_lines`]).
pub(crate) fn read_secrets(path: &Path, tolerance_secs: i64) -> Result<kindly_web::StripeWebhook, LocalError> {
    let text = std::fs::read_to_string(path).map_err(|e| LocalError::io(path, e))?;
    kindly_web::StripeWebhook::from_lines(&text, tolerance_secs)
        .map_err(|error| LocalError::Usage(format!("{}: {error}", path.display())))
}
