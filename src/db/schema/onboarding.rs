// Imports (migration `imports`), beside the rest of the schema.

diesel::table! {
    imports (id) {
        id -> BigInt,
        kind -> Text,
        format -> Text,
        imported_by -> Text,
        request_id -> Nullable<Text>,
        rows -> BigInt,
        created -> BigInt,
        updated -> BigInt,
        unchanged -> BigInt,
        outcomes -> Text,
        imported_at -> Timestamp,
    }
}
