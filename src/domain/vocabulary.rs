//! A vocabulary written once: `vocabulary!` makes, from one list of variants and their codes,
//! the enum with its serde names, `ALL` in the list's order, `as_str`, `Display` and `FromStr`,
//! so that no listing can leave a variant out or spell its code differently.

/// `vocabulary! { #[derive(...)] pub enum Name("a thing") { Variant = "code", … } }`; the
/// text in parentheses completes a parse error: "'x' is not a thing".
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:tt) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in the order of the list.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The code: the value's name in the API, the configuration and the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(format!("'{s}' is not {}", $what)),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::vocabulary! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Colour("a colour") {
            /// Like the sky.
            Blue = "blue",
            DarkRed = "dark_red",
        }
    }

    #[test]
    fn one_list_gives_every_listing() {
        assert_eq!(Colour::ALL, [Colour::Blue, Colour::DarkRed]);
        assert_eq!(Colour::DarkRed.to_string(), "dark_red");
        assert_eq!("blue".parse::<Colour>(), Ok(Colour::Blue));
        assert_eq!(
            "green".parse::<Colour>(),
            Err("'green' is not a colour".to_string())
        );
        assert_eq!(
            serde_json::to_value(Colour::DarkRed).unwrap(),
            serde_json::json!("dark_red")
        );
    }
}
