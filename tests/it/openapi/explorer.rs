//! The explorer works offline: the page and every asset it names come from the binary.

use reqwest::Method;

use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(the_explorer_and_its_assets_are_served_by_the_binary);

/// The `src="…"` and `href="…"` of a page.
fn assets(html: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| html.split(attr).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

async fn the_explorer_and_its_assets_are_served_by_the_binary(backend: Backend) {
    let app = spawn(backend).await;

    let bare = app.send(Method::GET, "/api/v1/docs", None, None).await;
    assert_eq!(bare.status, 308, "{}", bare.text);
    assert_eq!(bare.header("location"), "/api/v1/docs/");

    let page = app
        .send(Method::GET, "/api/v1/docs/", None, None)
        .await
        .expect(200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.text.contains("id=\"swagger-ui\""), "{}", page.text);
    // Only the explorer's files are cached; the page follows the rule of answers.
    assert_eq!(page.header("cache-control"), "no-store");
    // The app's CSP allows scripts from itself only: no inline script in the page.
    assert_eq!(
        page.text.matches("<script").count(),
        page.text.matches("<script src=").count()
    );

    let names = assets(&page.text);
    assert!(names.len() >= 4, "{names:?}");
    for name in &names {
        assert!(!name.contains("//"), "an asset from elsewhere: {name}");
        let path = format!("/api/v1/docs/{}", name.trim_start_matches("./"));
        let reply = app.send(Method::GET, &path, None, None).await.expect(200);
        let wanted = if name.ends_with(".js") {
            "javascript"
        } else if name.ends_with(".css") {
            "text/css"
        } else {
            "image/"
        };
        assert!(
            reply.header("content-type").contains(wanted),
            "{path}: {}",
            reply.header("content-type")
        );
        // Files of the binary: cached, unlike every answer with data (no-store).
        assert_eq!(
            reply.header("cache-control"),
            "public, max-age=86400",
            "{path}"
        );
    }
    let init = app
        .send(
            Method::GET,
            "/api/v1/docs/swagger-initializer.js",
            None,
            None,
        )
        .await
        .expect(200);
    assert!(
        init.text.contains("\"/api/v1/openapi.json\""),
        "{}",
        init.text
    );
}
