//! "Did you mean" suggestions for misspelt names.

/// The candidate closest to `input`, if one is close enough to be a likely typo. The
/// distance counts an adjacent swap as one edit (optimal string alignment), as a typo is.
pub(crate) fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_chars = input.chars().count();
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let candidate_chars = candidate.chars().count();
            let allowed = (input_chars.max(candidate_chars) / 3).max(1);
            // The distance is at least the difference in length: most candidates are
            // ruled out without computing it.
            if input_chars.abs_diff(candidate_chars) > allowed {
                return None;
            }
            let distance = strsim::osa_distance(input, candidate);
            (distance > 0 && distance <= allowed).then_some((distance, candidate))
        })
        .min_by_key(|&(distance, candidate)| (distance, candidate))
        .map(|(_, candidate)| candidate)
}

/// "did you mean `x`?" for the closest candidate, if one is close enough.
pub(crate) fn did_you_mean_help<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(input, candidates).map(|best| format!("did you mean `{best}`?"))
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["date_of_birth", "date_of_death", "postcode"];
        assert_eq!(did_you_mean("date_of_brith", fields), Some("date_of_birth"));
        assert_eq!(did_you_mean("postcod", fields), Some("postcode"));
        assert_eq!(did_you_mean("nhs", fields), None);
        assert_eq!(did_you_mean("postcode", fields), None);
    }
}
