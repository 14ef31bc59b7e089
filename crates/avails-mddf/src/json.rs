//! The reference's four XML-to-JSON rules ("Conversion de MDDF XML en JSON"):
//! prefixes dropped, nested elements become nested properties, repeated
//! names become arrays, attributes become `_name` properties with the text in
//! `value`.
//!
//! Choices the reference leaves open: text is trimmed of surrounding XML
//! whitespace (CDATA excepted); an element with neither attributes nor
//! children becomes its text (`""` when empty); an element with children or
//! attributes becomes an object, with `value` only when it has text; a
//! repeated name becomes one array at the place of its first occurrence.

use serde_json::{Map, Value};

use crate::tree::Element;

/// The JSON value of one element under the four rules.
pub(crate) fn element_value(el: &Element) -> Value {
    if el.attrs.is_empty() && el.children.is_empty() {
        return Value::String(el.text.clone());
    }
    let mut map = Map::new();
    for (key, value) in &el.attrs {
        map.insert(format!("_{key}"), Value::String(value.clone()));
    }
    for child in &el.children {
        let value = element_value(child);
        // An element's own value is never an array, so an array here is one
        // this loop built for an earlier repeat.
        match map.get_mut(&child.name) {
            None => {
                map.insert(child.name.clone(), value);
            }
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
        }
    }
    if !el.text.is_empty() {
        map.insert("value".into(), Value::String(el.text.clone()));
    }
    Value::Object(map)
}

/// `{root-name: value}` for a whole document.
pub(crate) fn document_value(root: &Element) -> Value {
    let mut map = Map::new();
    map.insert(root.name.clone(), element_value(root));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::xml_to_json;

    #[test]
    fn reference_rule_1_namespaces_are_omitted() {
        assert_eq!(
            xml_to_json("<alice>bob</alice>").unwrap(),
            json!({ "alice": "bob" })
        );
        assert_eq!(
            xml_to_json(r#"<ns:alice xmlns:ns="urn:x">bob</ns:alice>"#).unwrap(),
            json!({ "alice": "bob" })
        );
    }

    #[test]
    fn reference_rule_2_nested_elements_become_nested_properties() {
        assert_eq!(
            xml_to_json("<alice><bob>charlie</bob><david>edgar</david></alice>").unwrap(),
            json!({ "alice": { "bob": "charlie", "david": "edgar" } })
        );
    }

    #[test]
    fn reference_rule_3_repeated_elements_become_arrays() {
        assert_eq!(
            xml_to_json("<alice><bob>charlie</bob><bob>david</bob></alice>").unwrap(),
            json!({ "alice": { "bob": [ "charlie", "david" ] } })
        );
    }

    #[test]
    fn reference_rule_4_attributes_become_underscored_properties() {
        assert_eq!(
            xml_to_json(r#"<alice charlie="david">bob</alice>"#).unwrap(),
            json!({ "alice": { "_charlie": "david", "value": "bob" } })
        );
    }

    #[test]
    fn three_or_more_repeats_and_interleaving_keep_one_array_in_order() {
        let v = xml_to_json("<a><b>1</b><c>x</c><b>2</b><b>3</b></a>").unwrap();
        assert_eq!(v, json!({ "a": { "b": ["1", "2", "3"], "c": "x" } }));
        let keys: Vec<_> = v["a"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "c"]);
    }

    #[test]
    fn element_order_is_preserved() {
        let v = xml_to_json("<a><z>1</z><m>2</m><b>3</b></a>").unwrap();
        let keys: Vec<_> = v["a"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "m", "b"]);
    }

    #[test]
    fn empty_elements() {
        assert_eq!(
            xml_to_json("<a><b/><c></c></a>").unwrap(),
            json!({ "a": { "b": "", "c": "" } })
        );
        assert_eq!(
            xml_to_json(r#"<a><b k="v"/></a>"#).unwrap(),
            json!({ "a": { "b": { "_k": "v" } } })
        );
    }

    #[test]
    fn whitespace_between_elements_is_not_text() {
        let xml = "<a>\n  <b>  x y \n</b>\n  <c>\n    <d>1</d>\n  </c>\n</a>\n";
        assert_eq!(
            xml_to_json(xml).unwrap(),
            json!({ "a": { "b": "x y", "c": { "d": "1" } } })
        );
    }

    #[test]
    fn cdata_is_text_kept_verbatim() {
        assert_eq!(
            xml_to_json("<a><![CDATA[ <b>&amp; ]]></a>").unwrap(),
            json!({ "a": " <b>&amp; " })
        );
        assert_eq!(
            xml_to_json("<a>x <![CDATA[y]]> z</a>").unwrap(),
            json!({ "a": "x y z" })
        );
    }

    #[test]
    fn entities_and_character_references_are_resolved() {
        assert_eq!(
            xml_to_json(r#"<a t="&quot;1&quot; &lt; 2">Tom &amp; Jerry &#233;&#x41;</a>"#).unwrap(),
            json!({ "a": { "_t": "\"1\" < 2", "value": "Tom & Jerry éA" } })
        );
    }

    #[test]
    fn xmlns_attributes_do_not_become_properties_but_prefixed_ones_lose_prefix() {
        let xml = r#"<r:a xmlns="urn:d" xmlns:r="urn:r" xmlns:xsi="urn:xsi" xsi:type="T" r:k="v"><r:b>1</r:b></r:a>"#;
        assert_eq!(
            xml_to_json(xml).unwrap(),
            json!({ "a": { "_type": "T", "_k": "v", "b": "1" } })
        );
    }

    #[test]
    fn mixed_content_keeps_text_in_value() {
        assert_eq!(
            xml_to_json("<a>hello<b>1</b></a>").unwrap(),
            json!({ "a": { "b": "1", "value": "hello" } })
        );
    }
}
