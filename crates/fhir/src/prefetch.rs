//! The FHIR searches a mapping table reads from: CDS Hooks prefetch templates that ask
//! for what the mapping maps and nothing more (the spec's "minimum necessary").

use crate::mapping::{Mapping, Token};

/// One prefetch template: a prefetch key and the FHIR query (a read or a search, within
/// CDS Hooks' recommended subset) whose result goes under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefetchTemplate {
    /// The prefetch key, e.g. `conditions`.
    pub key: &'static str,
    /// The query relative to the FHIR server's base, with CDS Hooks tokens, e.g.
    /// `Condition?patient={{context.patientId}}`. Codes are percent-encoded.
    pub query: String,
    /// Whether it reads one resource (a `null` result means "none") rather than searches.
    pub read: bool,
}

impl Mapping {
    /// The prefetch templates for this table, patient first: a search for every kind of
    /// resource the table maps, filtered by the codes it lists where FHIR's search allows,
    /// and none for a kind whose list of codes is empty (nothing of it would be read).
    /// With `encounter`, also a read of the hook's context Encounter (`encounter`).
    pub fn prefetch_templates(&self, encounter: bool) -> Vec<PrefetchTemplate> {
        let patient = "{{context.patientId}}";
        let search = |key, query: String| PrefetchTemplate {
            key,
            query,
            read: false,
        };
        let mut templates = vec![
            PrefetchTemplate {
                key: "patient",
                query: format!("Patient/{patient}"),
                read: true,
            },
            search("conditions", format!("Condition?patient={patient}")),
        ];
        if !self.encounters.inpatient_classes.is_empty() {
            templates.push(search(
                "encounters",
                format!(
                    "Encounter?patient={patient}&class={}",
                    tokens(&self.encounters.inpatient_classes)
                ),
            ));
        }
        let categories: Vec<Token> = self.plans.iter().flat_map(|p| p.categories.iter().cloned()).collect();
        if !categories.is_empty() {
            templates.push(search(
                "careplans",
                format!("CarePlan?patient={patient}&category={}", tokens(&categories)),
            ));
        }
        if !self.frailty.efi.is_empty() {
            templates.push(search(
                "observations",
                format!("Observation?patient={patient}&code={}", tokens(&self.frailty.efi)),
            ));
        }
        // R4's Flag has no `code` search parameter: every Flag, filtered when mapped.
        if !self.register.flags.is_empty() {
            templates.push(search("flags", format!("Flag?patient={patient}")));
        }
        if !self.register.episodes_of_care.is_empty() {
            templates.push(search(
                "episodes",
                format!(
                    "EpisodeOfCare?patient={patient}&type={}",
                    tokens(&self.register.episodes_of_care)
                ),
            ));
        }
        if !self.carers.relationships.is_empty() {
            templates.push(search("carers", format!("RelatedPerson?patient={patient}")));
        }
        if encounter {
            templates.push(PrefetchTemplate {
                key: "encounter",
                query: "Encounter/{{context.encounterId}}".to_owned(),
                read: true,
            });
        }
        templates
    }

    /// Whether `system|code` is one of the table's inpatient (hospital stay) classes.
    pub fn is_inpatient_class(&self, system: &str, code: &str) -> bool {
        crate::mapping::listed(&self.encounters.inpatient_classes, Some(system), Some(code))
    }
}

/// Tokens as one search value: each `system|code` percent-encoded, joined by `,` (FHIR's
/// "or").
fn tokens(tokens: &[Token]) -> String {
    let encoded: Vec<String> = tokens
        .iter()
        .map(|t| percent_encode(&format!("{}|{}", t.system, t.code)))
        .collect();
    encoded.join(",")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_asks_for_what_it_maps() {
        let mapping = Mapping::uk_core().expect("the built-in table");
        let templates = mapping.prefetch_templates(false);
        let keys: Vec<&str> = templates.iter().map(|t| t.key).collect();
        // No plan categories, eFI codes or register codes are listed, so none is asked for.
        assert_eq!(keys, ["patient", "conditions", "encounters", "carers"]);
        let encounters = &templates[2].query;
        assert!(
            encounters.starts_with("Encounter?patient={{context.patientId}}&class=http%3A%2F%2F"),
            "{encounters}"
        );
        assert!(encounters.contains("%7CIMP"), "{encounters}");
        let with = mapping.prefetch_templates(true);
        let last = with.last().expect("a template");
        assert_eq!(
            (last.key, last.query.as_str(), last.read),
            ("encounter", "Encounter/{{context.encounterId}}", true)
        );
    }

    #[test]
    fn a_table_listing_codes_asks_for_them() {
        let text = crate::UK_CORE
            .replace("efi = [\n]", "efi = [\"https://example.org/codes|EFI\"]")
            .replace("flags = [\n]", "flags = [\"https://example.org/codes|REG\"]");
        let mapping = Mapping::from_toml(&text, "area.toml").expect("the area's table");
        let templates = mapping.prefetch_templates(false);
        let find = |key| templates.iter().find(|t| t.key == key).map(|t| t.query.clone());
        assert_eq!(
            find("observations").as_deref(),
            Some("Observation?patient={{context.patientId}}&code=https%3A%2F%2Fexample.org%2Fcodes%7CEFI")
        );
        assert_eq!(find("flags").as_deref(), Some("Flag?patient={{context.patientId}}"));
        assert_eq!(find("episodes"), None);
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("a-Z_0.~ |/é"), "a-Z_0.~%20%7C%2F%C3%A9");
    }
}
