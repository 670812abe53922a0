//! Enums stored as `TEXT`: statuses and kinds are Rust enums in code, their snake_case
//! code in the database and in JSON, and a Chinese label on pages. Never compared as
//! strings; an unknown stored value is a loud error, not a default.

/// Define an enum with a code and a Chinese label per variant, stored as `TEXT`:
///
/// ```ignore
/// cunyi::text_enum! {
///     /// 审核状态
///     pub enum RecordStatus {
///         Pending = "pending" / "待审核",
///         Approved = "approved" / "已认定",
///     }
/// }
/// ```
///
/// Gives `ALL`, `as_str`, `label`, `parse` (the code only), `Display` (the code),
/// serde as the code, and diesel `FromSql`/`ToSql` for `Text` on every backend.
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and exchanged in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese name shown on pages.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// From the code (surrounding white space ignored).
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $(if s == $code { return Some($name::$variant); })+
                None
            }

            /// The codes, for messages ("应为 a、b 或 c").
            pub fn codes() -> String {
                [$($code),+].join("、")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// In the OpenAPI document: a string, one of the codes.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some([$(concat!($code, " ", $label)),+].join("；")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!("应为 {} 之一", $name::codes()))
                })
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let s = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    DB,
                >>::from_sql(bytes)?;
                $name::parse(&s).ok_or_else(|| {
                    format!("unknown {} value {s:?} in the database", stringify!($name)).into()
                })
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::text_enum! {
        /// A test enum.
        pub enum Colour {
            Red = "red" / "红",
            DeepBlue = "deep_blue" / "深蓝",
        }
    }

    #[test]
    fn codes_labels_and_json_agree() {
        assert_eq!(Colour::DeepBlue.as_str(), "deep_blue");
        assert_eq!(Colour::DeepBlue.label(), "深蓝");
        assert_eq!(Colour::parse(" red "), Some(Colour::Red));
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(
            serde_json::to_string(&Colour::DeepBlue).unwrap(),
            "\"deep_blue\""
        );
        let back: Colour = serde_json::from_str("\"red\"").unwrap();
        assert_eq!(back, Colour::Red);
        let err = serde_json::from_str::<Colour>("\"green\"").unwrap_err();
        assert!(err.to_string().contains("red、deep_blue"), "{err}");
    }

    #[test]
    fn stored_and_read_back_on_sqlite() {
        use diesel::prelude::*;
        use diesel::sql_types::Text;
        let mut conn = crate::db::connect(":memory:").unwrap();
        let read: Colour = diesel::select(Colour::DeepBlue.into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(read, Colour::DeepBlue);
        let bad = diesel::select("green".into_sql::<Text>()).get_result::<Colour>(&mut conn);
        assert!(bad.is_err(), "an unknown stored value must be an error");
    }
}
