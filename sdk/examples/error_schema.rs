//! Prints the JSON Schema of the serialized [`userbridge::Error`] (feature
//! `schema`). `cargo xtask codegen` writes it to `openapi/userbridge-error.schema.json`.

fn main() {
    let schema = schemars::schema_for!(userbridge::Error);
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("cannot serialize the error schema: {e}");
            std::process::exit(1);
        }
    }
}
