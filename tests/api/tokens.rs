//! The token suite: every way a bearer token can be wrong gets 401 with
//! `WWW-Authenticate: Bearer error="invalid_token"`; PEM keys, JWKS and claim mapping work.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{fixture, sign_hs256, spawn_app_with, Backend, TestApp, SECRET};

const ISSUER: &str = "https://idp.sunet.se";
const AUDIENCE: &str = "forvaltning";

fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

fn claims() -> Value {
    json!({"sub": "asa.oberg@sunet.se", "name": "Åsa Öberg", "iss": ISSUER, "aud": AUDIENCE,
           "iat": now(), "exp": now() + 300, "roles": ["business_developer"]})
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

fn sign_pem(claims: &Value, alg: Algorithm, private_key: &str, kid: Option<&str>) -> String {
    let pem = std::fs::read(fixture(private_key)).unwrap();
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        _ => EncodingKey::from_ed_pem(&pem),
    }
    .unwrap();
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    encode(&header, claims, &key).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64_url::encode;
    encode(bytes)
}

mod base64_url {
    /// Unpadded base64url, enough to forge tokens by hand.
    pub fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

async fn keyed_app(backend: Backend) -> TestApp {
    let keys = [
        fixture("rsa-public.pem"),
        fixture("ec-public.pem"),
        fixture("ed-public.pem"),
    ]
    .iter()
    .map(|p| p.display().to_string())
    .collect::<Vec<_>>()
    .join(":");
    spawn_app_with(
        backend,
        &[
            ("FORVALTNING_JWT_PUBLIC_KEY_FILE", &keys),
            ("FORVALTNING_JWT_ISSUER", ISSUER),
            ("FORVALTNING_JWT_AUDIENCE", AUDIENCE),
        ],
        None,
    )
    .await
}

async fn status_of(app: &TestApp, token: &str) -> u16 {
    let reply = app.get("/api/v1/me", Some(token)).await;
    if reply.status == 401 {
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    reply.status
}

pub async fn valid_tokens_of_every_configured_key_are_accepted(backend: Backend) {
    let app = keyed_app(backend).await;
    assert_eq!(status_of(&app, &sign_hs256(&claims(), SECRET)).await, 200);
    assert_eq!(
        status_of(
            &app,
            &sign_pem(&claims(), Algorithm::RS256, "rsa-private.pem", None)
        )
        .await,
        200
    );
    assert_eq!(
        status_of(
            &app,
            &sign_pem(&claims(), Algorithm::ES256, "ec-private.pem", None)
        )
        .await,
        200
    );
    assert_eq!(
        status_of(
            &app,
            &sign_pem(&claims(), Algorithm::EdDSA, "ed-private.pem", None)
        )
        .await,
        200
    );
    let me = app
        .get("/api/v1/me", Some(&sign_hs256(&claims(), SECRET)))
        .await
        .expect(200);
    assert_eq!(me.body["person"]["name"], "Åsa Öberg");
    assert_eq!(me.body["global_roles"][0]["role"], "business_developer");
    assert_eq!(me.body["global_roles"][0]["source"]["claim"], "/roles");
}

pub async fn bad_tokens_get_401(backend: Backend) {
    let app = keyed_app(backend).await;
    let valid = sign_hs256(&claims(), SECRET);
    let parts: Vec<&str> = valid.split('.').collect();
    let forged_payload =
        b64(
            serde_json::to_string(&with(claims(), "roles", json!(["management_group"])))
                .unwrap()
                .as_bytes(),
        );
    let alg_none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let hs384 = encode(
        &Header::new(Algorithm::HS384),
        &claims(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let cases: Vec<(&str, String)> = vec![
        (
            "expired",
            sign_hs256(&with(claims(), "exp", json!(now() - 120)), SECRET),
        ),
        (
            "nbf in the future",
            sign_hs256(&with(claims(), "nbf", json!(now() + 300)), SECRET),
        ),
        (
            "wrong secret",
            sign_hs256(&claims(), "ett-helt-annat-hemligt-lösenord-0123456789"),
        ),
        (
            "unknown RSA key",
            sign_pem(&claims(), Algorithm::RS256, "rsa2-private.pem", None),
        ),
        ("alg none", alg_none),
        ("algorithm not configured", hs384),
        (
            "wrong issuer",
            sign_hs256(
                &with(claims(), "iss", json!("https://evil.example")),
                SECRET,
            ),
        ),
        ("no issuer", sign_hs256(&without(claims(), "iss"), SECRET)),
        (
            "wrong audience",
            sign_hs256(&with(claims(), "aud", json!("another-service")), SECRET),
        ),
        ("no audience", sign_hs256(&without(claims(), "aud"), SECRET)),
        ("no sub", sign_hs256(&without(claims(), "sub"), SECRET)),
        (
            "empty sub",
            sign_hs256(&with(claims(), "sub", json!("")), SECRET),
        ),
        ("no exp", sign_hs256(&without(claims(), "exp"), SECRET)),
        (
            "tampered payload",
            format!("{}.{}.{}", parts[0], forged_payload, parts[2]),
        ),
        (
            "a Keycloak ID token",
            sign_hs256(&with(claims(), "typ", json!("ID")), SECRET),
        ),
        // RFC 8725 §2.1: the RSA public key (known to anyone) used as an HMAC secret.
        (
            "HS256 signed with the RSA public key",
            sign_hs256(
                &claims(),
                &std::fs::read_to_string(fixture("rsa-public.pem")).unwrap(),
            ),
        ),
        ("garbage", "inte.en.token".to_string()),
        ("one segment", "skräp".to_string()),
    ];
    for (what, token) in cases {
        assert_eq!(status_of(&app, &token).await, 401, "{what}");
    }
    // Keycloak's access tokens say "typ": "Bearer".
    assert_eq!(
        status_of(
            &app,
            &sign_hs256(&with(claims(), "typ", json!("Bearer")), SECRET)
        )
        .await,
        200
    );
    // Within the leeway an expired token still passes (clock skew between IdP and us).
    assert_eq!(
        status_of(
            &app,
            &sign_hs256(&with(claims(), "exp", json!(now() - 5)), SECRET)
        )
        .await,
        200
    );
}

pub async fn a_missing_token_is_a_plain_bearer_challenge(backend: Backend) {
    let app = keyed_app(backend).await;
    for header in [None, Some("Basic dXNlcjpwYXNz"), Some("Bearer")] {
        let headers: Vec<(&str, &str)> = header.map(|h| ("Authorization", h)).into_iter().collect();
        let reply = app
            .send("GET", "/api/v1/services", None, None, &headers)
            .await;
        assert_eq!(reply.status, 401);
        assert_eq!(
            reply.header("www-authenticate").as_deref(),
            Some("Bearer realm=\"forvaltning\"")
        );
        assert_eq!(reply.body["status"], 401);
    }
}

/// A JWKS endpoint under the test's control, counting fetches.
struct Jwks {
    url: String,
    keys: Arc<Mutex<Vec<Jwk>>>,
    fetches: Arc<AtomicUsize>,
}

fn jwk(private_key: &str, kid: &str) -> Jwk {
    let pem = std::fs::read(fixture(private_key)).unwrap();
    let mut jwk =
        Jwk::from_encoding_key(&EncodingKey::from_rsa_pem(&pem).unwrap(), Algorithm::RS256)
            .unwrap();
    jwk.common.key_id = Some(kid.to_string());
    jwk
}

async fn jwks_server(keys: Vec<Jwk>) -> Jwks {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let keys = Arc::new(Mutex::new(keys));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (k, f) = (keys.clone(), fetches.clone());
    let server = HttpServer::new(move || {
        let (k, f) = (k.clone(), f.clone());
        App::new().route(
            "/jwks",
            web::get().to(move || {
                let (k, f) = (k.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    let set = JwkSet {
                        keys: k.lock().unwrap().clone(),
                    };
                    HttpResponse::Ok().json(set)
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    Jwks {
        url: format!("http://127.0.0.1:{port}/jwks"),
        keys,
        fetches,
    }
}

pub async fn jwks_keys_are_matched_by_kid_and_refetched_at_most_once_per_cooldown(
    backend: Backend,
) {
    let jwks = jwks_server(vec![jwk("rsa-private.pem", "nyckel-1")]).await;
    let app = spawn_app_with(
        backend,
        &[
            ("FORVALTNING_JWT_JWKS_URL", &jwks.url),
            ("FORVALTNING_JWT_SECRET", ""),
        ],
        Some("[jwt]\njwks_refetch_cooldown_seconds = 1\n"),
    )
    .await;
    let claims = json!({"sub": "idp-user@sunet.se", "exp": now() + 300});
    let fetched_at_start = jwks.fetches.load(Ordering::SeqCst);
    assert_eq!(fetched_at_start, 1, "fetched once at startup");

    let known = sign_pem(
        &claims,
        Algorithm::RS256,
        "rsa-private.pem",
        Some("nyckel-1"),
    );
    assert_eq!(status_of(&app, &known).await, 200);
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        1,
        "a known kid needs no fetch"
    );

    // The IdP signs with a new key before we have seen it: one refetch, then refused.
    let rotated = sign_pem(
        &claims,
        Algorithm::RS256,
        "rsa2-private.pem",
        Some("nyckel-2"),
    );
    assert_eq!(status_of(&app, &rotated).await, 401);
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 2);
    // More unknown kids within the cooldown cause no more fetches.
    for kid in ["nyckel-3", "nyckel-4", "nyckel-5"] {
        let forged = sign_pem(&claims, Algorithm::RS256, "rsa2-private.pem", Some(kid));
        assert_eq!(status_of(&app, &forged).await, 401);
    }
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 2);

    // The IdP publishes the new key; after the cooldown the next unknown kid refetches.
    jwks.keys
        .lock()
        .unwrap()
        .push(jwk("rsa2-private.pem", "nyckel-2"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(status_of(&app, &rotated).await, 200);
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 3);
    // HS256 is not accepted when only the JWKS is configured.
    assert_eq!(status_of(&app, &sign_hs256(&claims, SECRET)).await, 401);
}

const MAPPING: &str = r#"
[[claims.roles]]
claim = "/realm_access/roles"
values = { "forvaltning-lg" = "management_group" }

[[claims.roles]]
claim = "/eduPersonEntitlement"
prefix = "urn:mace:sunet.se:forvaltning:role:"
"#;

pub async fn claim_mapping_reads_keycloak_roles_and_swamid_entitlements(backend: Backend) {
    let app = spawn_app_with(backend, &[], Some(MAPPING)).await;
    let keycloak = sign_hs256(
        &json!({"sub": "lg@sunet.se", "exp": now() + 300,
                "realm_access": {"roles": ["offline_access", "forvaltning-lg"]}}),
        SECRET,
    );
    let me = app.get("/api/v1/me", Some(&keycloak)).await.expect(200);
    assert_eq!(
        me.body["global_roles"],
        json!([{"role": "management_group", "source": {"kind": "token", "claim": "/realm_access/roles"}}])
    );
    app.post(
        "/api/v1/portfolios",
        Some(&keycloak),
        json!({"slug": "identitet", "name": "Identitetstjänster"}),
    )
    .await
    .expect(201);

    let swamid = sign_hs256(
        &json!({"sub": "controller@su.se", "exp": now() + 300,
                "eduPersonEntitlement": "urn:mace:sunet.se:forvaltning:role:controller"}),
        SECRET,
    );
    let me = app.get("/api/v1/me", Some(&swamid)).await.expect(200);
    assert_eq!(me.body["global_roles"][0]["role"], "controller");

    // The default `roles` claim is not read when a mapping is configured.
    let plain_roles = sign_hs256(
        &json!({"sub": "x@sunet.se", "exp": now() + 300, "roles": ["management_group"]}),
        SECRET,
    );
    let me = app.get("/api/v1/me", Some(&plain_roles)).await.expect(200);
    assert_eq!(me.body["global_roles"], json!([]));

    // Malformed claims give no role, never an error.
    for weird in [
        json!(17),
        json!({"roles": {"a": "forvaltning-lg"}}),
        json!([["forvaltning-lg"]]),
        json!(null),
    ] {
        let token = sign_hs256(
            &json!({"sub": "odd@sunet.se", "exp": now() + 300, "realm_access": weird}),
            SECRET,
        );
        let me = app.get("/api/v1/me", Some(&token)).await.expect(200);
        assert_eq!(me.body["global_roles"], json!([]));
        app.post(
            "/api/v1/portfolios",
            Some(&token),
            json!({"slug": "nej", "name": "Nej"}),
        )
        .await
        .expect(403);
    }
}

/// Every shape of claim a Sunet identity provider sends, under one mapping: Keycloak realm and
/// client roles, Keycloak group paths, SWAMID entitlements as a string and as an array — and
/// malformed claims, which give no role and no error. Each case states its exact role set.
const EVERY_SHAPE: &str = r#"
[[claims.roles]]
claim = "/realm_access/roles"
values = { "forvaltning-lg" = "management_group", "forvaltning-vu" = "business_developer" }

[[claims.roles]]
claim = "/resource_access/forvaltning/roles"
values = { "controller" = "controller", "kam" = "account_manager" }

[[claims.roles]]
claim = "/groups"
values = { "/sunet/kommunikation" = "communicator", "/sunet/ledningsgrupp" = "management_group" }

[[claims.roles]]
claim = "/eduPersonEntitlement"
prefix = "urn:mace:sunet.se:forvaltning:role:"
"#;

pub async fn every_claim_shape_maps_to_its_exact_roles(backend: Backend) {
    let app = spawn_app_with(backend, &[], Some(EVERY_SHAPE)).await;
    let entitlement = |role: &str| format!("urn:mace:sunet.se:forvaltning:role:{role}");
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "Keycloak realm roles",
            json!({"realm_access": {"roles": ["offline_access", "forvaltning-lg", "forvaltning-vu"]}}),
            vec!["business_developer", "management_group"],
        ),
        (
            "Keycloak client roles",
            json!({"resource_access": {"forvaltning": {"roles": ["kam"]}, "account": {"roles": ["controller"]}}}),
            vec!["account_manager"],
        ),
        (
            "Keycloak group paths",
            json!({"groups": ["/sunet", "/sunet/kommunikation", "/sunet/ledningsgrupp/extra"]}),
            vec!["communicator"],
        ),
        (
            "SWAMID entitlement as a string",
            json!({"eduPersonEntitlement": entitlement("controller")}),
            vec!["controller"],
        ),
        (
            "SWAMID entitlements as an array",
            json!({"eduPersonEntitlement": [entitlement("communicator"), "urn:mace:swami.se:gmai:su-ivs:admin", entitlement("account_manager")]}),
            vec!["account_manager", "communicator"],
        ),
        (
            "an entitlement naming no role",
            json!({"eduPersonEntitlement": entitlement("kung")}),
            vec![],
        ),
        (
            "an entitlement that only starts alike",
            json!({"eduPersonEntitlement": "urn:mace:sunet.se:forvaltning:roles:controller"}),
            vec![],
        ),
        (
            "every source at once",
            json!({"realm_access": {"roles": ["forvaltning-lg"]}, "groups": ["/sunet/ledningsgrupp"],
                                        "resource_access": {"forvaltning": {"roles": ["controller"]}}}),
            vec!["controller", "management_group"],
        ),
        (
            "a plain roles claim, not configured here",
            json!({"roles": ["management_group"]}),
            vec![],
        ),
        (
            "realm roles as a string",
            json!({"realm_access": {"roles": "forvaltning-lg"}}),
            vec!["management_group"],
        ),
        (
            "realm roles as an object",
            json!({"realm_access": {"roles": {"forvaltning-lg": true}}}),
            vec![],
        ),
        ("groups of numbers", json!({"groups": [1, 2, 3]}), vec![]),
        (
            "nested arrays",
            json!({"eduPersonEntitlement": [[entitlement("controller")]]}),
            vec![],
        ),
        (
            "null claims",
            json!({"realm_access": null, "groups": null, "eduPersonEntitlement": null}),
            vec![],
        ),
        (
            "a role code in the wrong case",
            json!({"eduPersonEntitlement": entitlement("Controller")}),
            vec![],
        ),
    ];
    let mut wrong = Vec::new();
    for (i, (what, extra, expected)) in cases.iter().enumerate() {
        let mut claims = json!({"sub": format!("person{i}@sunet.se"), "exp": now() + 300});
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        let me = app
            .get("/api/v1/me", Some(&sign_hs256(&claims, SECRET)))
            .await;
        let mut roles: Vec<String> = me.body["global_roles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["role"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        roles.sort();
        roles.dedup();
        if me.status != 200 || roles != *expected {
            wrong.push(format!(
                "{what}: expected {expected:?}, got {} {roles:?}",
                me.status
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
