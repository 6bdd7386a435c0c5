//! A small reader of the JSON Schema subset the specs use, deciding whether a
//! body has a documented shape the way the generated client's serde types read
//! it (which is what decides between a decoded answer and an undecodable one).

use serde_json::Value;

use crate::spec::resolve;

/// Whether `value` has the shape of `schema` (a schema of `doc`), as the
/// generated client's serde types read it: object properties and `required`,
/// `nullable`, `type`, `format` (integer widths), `enum`, `items` and
/// `additionalProperties`. A `null` is accepted where the generated type is an
/// `Option` (nullable, or an optional scalar or object with properties); an
/// optional array or free-form map defaults when absent but rejects `null`.
/// Any other keyword fails loudly (extend this reader rather than guess).
pub fn conforms(doc: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    conforms_at("$", doc, schema, value)
}

fn conforms_at(at: &str, doc: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    let schema = resolve(doc, schema);
    let obj = schema
        .as_object()
        .ok_or_else(|| format!("{at}: schema is not an object"))?;
    for key in obj.keys() {
        let known = [
            "type",
            "description",
            "properties",
            "required",
            "items",
            "nullable",
            "additionalProperties",
            "format",
            "enum",
            "example",
        ];
        assert!(
            known.contains(&key.as_str()) || key.starts_with("x-"),
            "{at}: schema keyword `{key}` is not understood by the suite's schema reader \
             (tests/src/spec.rs `conforms`)"
        );
    }
    if value.is_null() && schema["nullable"].as_bool() == Some(true) {
        return Ok(());
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    let fail = |want: &str| Err(format!("{at}: expected {want}, got {value}"));
    match schema.get("type").and_then(Value::as_str) {
        None => Ok(()),
        Some("string") => value.is_string().then_some(()).map_or(fail("a string"), Ok),
        Some("boolean") => value
            .is_boolean()
            .then_some(())
            .map_or(fail("a boolean"), Ok),
        Some("number") => value.is_number().then_some(()).map_or(fail("a number"), Ok),
        Some("integer") => {
            let fits = match schema.get("format").and_then(Value::as_str) {
                Some("int32") => value.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                Some("uint32") => value.as_u64().is_some_and(|i| u32::try_from(i).is_ok()),
                Some("uint64") => value.as_u64().is_some(),
                _ => value.as_i64().is_some(),
            };
            fits.then_some(()).map_or(fail("an integer"), Ok)
        }
        Some("array") => {
            let Some(items) = value.as_array() else {
                return fail("an array");
            };
            match schema.get("items") {
                Some(item) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, v)| conforms_at(&format!("{at}[{i}]"), doc, item, v)),
                None => Ok(()),
            }
        }
        Some("object") => {
            let Some(map) = value.as_object() else {
                return fail("an object");
            };
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for r in &required {
                if !map.contains_key(*r) {
                    return Err(format!("{at}: required `{r}` is missing"));
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, v) in map {
                let here = format!("{at}.{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(prop) => {
                        if v.is_null() && !required.contains(&k.as_str()) && option_typed(doc, prop)
                        {
                            continue;
                        }
                        conforms_at(&here, doc, prop, v)?;
                    }
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            return Err(format!("{here}: unknown member"));
                        }
                        Some(extra @ Value::Object(_)) => conforms_at(&here, doc, extra, v)?,
                        _ => {}
                    },
                }
            }
            Ok(())
        }
        Some(other) => panic!("{at}: schema type `{other}` is not understood"),
    }
}

/// Whether an optional property of `schema` is generated as an `Option` (which
/// reads `null` as absent): scalars and objects with properties are; arrays and
/// free-form maps default instead.
fn option_typed(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => false,
        Some("object") => schema.get("properties").is_some(),
        _ => true,
    }
}
