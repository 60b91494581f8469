# The shared benchmark logic (see crates/bench/src/lib.rs) in Rego, for regorus.
#
# Input:  {"case": <case JSON>, "as_of": "YYYY-MM-DD"}
# Output: data.bench.outcome =
#         {"eligibility": ..., "review": null | {"kind": ..., "due": ...}, "escalations": [...]}
#
# Dates stay ISO `YYYY-MM-DD` strings, so comparing them as strings compares the dates.
# Day arithmetic goes through time.parse_ns / time.format in UTC; "+12 months" is done on
# the text (next year, same month and day, 29 February becoming 28 February), because
# time.add_date moves 29 February differently from the reference.
package bench

import rego.v1

as_of := input.as_of

assessments := object.get(input.case, "assessments", [])

conditions := object.get(input.case, "conditions", [])

plans := object.get(input.case, "plans", [])

reviews := object.get(input.case, "reviews", [])

events := object.get(input.case, "events", [])

day_ns := 86400000000000

# `date` plus `n` calendar days.
add_days(date, n) := time.format([time.parse_ns("2006-01-02", date) + n * day_ns, "UTC", "2006-01-02"])

# `date` plus twelve months: a 29 February becomes 28 February (the next year is common).
add_year(date) := concat("", [format_int(to_number(substring(date, 0, 4)) + 1, 10), rest]) if {
	rest := substring(date, 4, 6)
	rest != "-02-29"
}

add_year(date) := concat("", [format_int(to_number(substring(date, 0, 4)) + 1, 10), "-02-28"]) if {
	substring(date, 4, 6) == "-02-29"
}

# ---- Eligibility ----

needs := [a |
	some a in assessments
	a.kind == "needs"
	not object.get(a, "refused", false)
]

# The latest needs assessment by date; on a tie the later in the list.
assessment := tied[count(tied) - 1] if {
	latest := max([a.date | some a in needs])
	tied := [a | some a in needs; a.date == latest]
}

impairment if {
	some c in conditions
	object.get(c, "active", true) == true
	object.get(c, "impairment_or_illness", false) == true
}

eligible if {
	impairment
	count(object.get(assessment, "outcomes", [])) >= 2
	object.get(assessment, ["wellbeing", "significant_impact"], false) == true
}

eligibility := "no_assessment" if {
	not assessment
} else := "eligible" if {
	eligible
} else := "not_eligible"

# ---- Review ----

ended_by_as_of(p) if {
	ended := object.get(p, "ended", null)
	is_string(ended)
	ended <= as_of
}

# The sign-off date of the latest-signed live care and support plan.
signed_off := max([s |
	some p in plans
	p.kind == "care_and_support"
	s := object.get(p, "signed_off", null)
	is_string(s)
	s <= as_of
	not ended_by_as_of(p)
])

last_review := max([r.date |
	some r in reviews
	r.date >= signed_off
	r.date <= as_of
])

light_touch_due := add_days(signed_off, 56)

base := last_review

base := signed_off if not last_review

planned_due := add_year(base)

first_change := min([e.date |
	some e in events
	e.kind in {"hospital_discharge", "fall", "carer_unavailable"}
	e.date > base
	e.date <= as_of
])

unplanned_due := add_days(first_change, 14)

review := null if {
	not signed_off
} else := {"kind": "light_touch", "due": light_touch_due} if {
	not last_review
	as_of <= light_touch_due
} else := {"kind": "unplanned", "due": unplanned_due} if {
	unplanned_due < planned_due
} else := {"kind": "planned", "due": planned_due}

# ---- Escalations ----

flagged contains "eligible_without_plan" if {
	eligibility == "eligible"
	not signed_off
}

flagged contains "review_overdue" if {
	review.due < as_of
}

flagged contains "safeguarding_concern" if {
	week_before := add_days(as_of, -7)
	some e in events
	e.kind == "safeguarding_concern"
	e.date >= week_before
	e.date <= as_of
}

escalations := [code |
	some code in ["eligible_without_plan", "review_overdue", "safeguarding_concern"]
	flagged[code]
]

outcome := {
	"eligibility": eligibility,
	"review": review,
	"escalations": escalations,
}
