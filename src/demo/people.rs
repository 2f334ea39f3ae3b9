//! The demo's people: who they are, and the global roles their tokens carry (the scoped ones,
//! TÄ, TS and TJF, come from the role assignments the demo records).

/// One of the demo's people.
pub struct Person {
    /// The shell variable the demo prints their token as.
    pub key: &'static str,
    pub sub: &'static str,
    pub name: &'static str,
    /// Global roles, from the token's claims.
    pub roles: &'static [&'static str],
    /// What they are in the demo, for the printed list.
    pub what: &'static str,
}

pub const PEOPLE: &[Person] = &[
    Person {
        key: "LG",
        sub: "lena@sunet.se",
        name: "Lena Ledning",
        roles: &["management_group"],
        what: "ledningsgruppen (LG)",
    },
    Person {
        key: "CTRL",
        sub: "karin@sunet.se",
        name: "Karin Kontrakt",
        roles: &["controller"],
        what: "kontrakt- och avtalsansvarig",
    },
    Person {
        key: "KA",
        sub: "kalle@sunet.se",
        name: "Kalle Kundsson",
        roles: &["account_manager"],
        what: "kundansvarig (KA)",
    },
    Person {
        key: "VU",
        sub: "vera@sunet.se",
        name: "Vera Verksamhet",
        roles: &["business_developer"],
        what: "verksamhetsutvecklare (VU)",
    },
    Person {
        key: "TA",
        sub: "tove@sunet.se",
        name: "Tove Ägare",
        roles: &[],
        what: "tjänsteägare (TÄ), Nätverkstjänster",
    },
    Person {
        key: "TA_ID",
        sub: "ingrid@sunet.se",
        name: "Ingrid Identitet",
        roles: &[],
        what: "tjänsteägare (TÄ), Identitet och åtkomst",
    },
    Person {
        key: "TA_SAM",
        sub: "samuel@sunet.se",
        name: "Samuel Samarbete",
        roles: &[],
        what: "tjänsteägare (TÄ), Samarbetstjänster",
    },
    Person {
        key: "TS",
        sub: "tomas@sunet.se",
        name: "Tomas Samordnare",
        roles: &[],
        what: "tjänstesamordnare (TS), Nätverkstjänster: avtal och planering",
    },
    Person {
        key: "TJF",
        sub: "frida@sunet.se",
        name: "Frida Förvaltare",
        roles: &[],
        what: "tjänsteförvaltare (TJF), eduroam och eduVPN",
    },
    Person {
        key: "TJF_ID",
        sub: "oskar@sunet.se",
        name: "Oskar Östlund",
        roles: &[],
        what: "tjänsteförvaltare (TJF), SWAMID, eduGAIN och eduID",
    },
    Person {
        key: "TJF_SAM",
        sub: "maja@sunet.se",
        name: "Maja Åberg",
        roles: &[],
        what: "tjänsteförvaltare (TJF), Sunet Drive och Sunet Play",
    },
];
