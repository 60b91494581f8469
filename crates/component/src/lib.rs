//! The careplan WebAssembly component: the `careplan:engine` WIT exports over
//! [`careplan_core`]. Conversions only; every decision is core's.
//!
//! Built for `wasm32-unknown-unknown` and encoded as a component by `careplan-artifacts`'
//! build script, so it imports nothing. A panic aborts (a trap the host reports); every
//! failure of the rules or the input is a typed `error` value.

// The only unsafe code here is the canonical-ABI glue that `wit_bindgen::generate!` and
// `export!` write; this crate's own code has none.
#![allow(unsafe_code, reason = "wit-bindgen's generated export glue is unsafe by nature")]

wit_bindgen::generate!({
    world: "careplan",
    path: "../../wit",
});

use careplan_core as core;
use careplan_fhir as fhir;
use exports::careplan::engine::engine as wit;
use exports::careplan::engine::engine::{Guest, GuestRulePack, RulePack as RulePackHandle};

struct Component;

impl Guest for Component {
    type RulePack = RulePack;

    fn case_schema() -> String {
        core::schema::CASE.to_owned()
    }

    fn evaluation_schema() -> String {
        core::schema::EVALUATION.to_owned()
    }

    fn case_from_fhir(
        fhir_json: String,
        mapping_toml: Option<String>,
        case_json: Option<String>,
    ) -> Result<wit::FhirCase, wit::Error> {
        let mapping = match &mapping_toml {
            Some(text) => fhir::Mapping::from_toml(text, "mapping.toml"),
            None => fhir::Mapping::uk_core(),
        };
        mapping
            .and_then(|mapping| fhir::case_from_fhir(&fhir_json, &mapping, case_json.as_deref()))
            .map(|read| wit::FhirCase {
                case_json: read.json,
                notes: read
                    .notes
                    .into_iter()
                    .map(|note| wit::FhirNote {
                        path: note.path,
                        message: note.message,
                    })
                    .collect(),
            })
            .map_err(|err| fhir_error(&err))
    }

    fn fhir_mapping() -> String {
        fhir::UK_CORE.to_owned()
    }
}

/// A FHIR error as careplan-fhir renders it, its problems as case problems (the path a
/// FHIR path, a case path or the mapping table's name).
fn fhir_error(err: &fhir::FhirError) -> wit::Error {
    let code = match err.kind() {
        fhir::ErrorKind::InvalidFhir => wit::ErrorCode::InvalidFhir,
        fhir::ErrorKind::InvalidMapping => wit::ErrorCode::InvalidMapping,
        fhir::ErrorKind::InvalidCase => wit::ErrorCode::InvalidCase,
    };
    let problems = err.problems().iter().map(case_problem).collect();
    rendered(code, err.report(), Vec::new(), problems)
}

/// A loaded pack, owned by the host through a resource handle.
pub struct RulePack(core::RulePack);

impl GuestRulePack for RulePack {
    fn load(pack: wit::PackSource, available: Vec<wit::PackSource>) -> Result<RulePackHandle, wit::Error> {
        let available: Vec<core::PackSource> = available.into_iter().map(pack_source).collect();
        core::RulePack::load(&pack_source(pack), &available, &core::Limits::default())
            .map(|pack| RulePackHandle::new(RulePack(pack)))
            .map_err(|err| load_error(&err))
    }

    fn warnings(&self, as_of: String) -> Result<Vec<wit::Diagnostic>, wit::Error> {
        let as_of: core::Date = as_of
            .parse()
            .map_err(|err: core::DateError| error(core::EvaluateError::InvalidAsOf(err)))?;
        Ok(self.0.warnings(as_of).iter().map(diagnostic).collect())
    }

    fn info(&self) -> wit::PackInfo {
        let info = self.0.info();
        wit::PackInfo {
            id: info.id.clone(),
            name: info.name.clone(),
            version: info.version.clone(),
            digest: info.digest.clone(),
            layers: info.layers.iter().map(layer).collect(),
            rules: info
                .rules
                .iter()
                .map(|rule| wit::RuleInfo {
                    id: rule.id.clone(),
                    title: rule.title.clone(),
                    kind: rule.kind.as_str().to_owned(),
                    cites: rule.cites.clone(),
                    pack: rule.pack.clone(),
                    effective_from: date(rule.effective_from),
                    effective_to: date(rule.effective_to),
                })
                .collect(),
            schemes: info
                .schemes
                .iter()
                .map(|(id, scheme)| wit::SchemeInfo {
                    id: id.clone(),
                    title: scheme.title.clone(),
                    cites: scheme.cites.clone(),
                })
                .collect(),
            recipients: info
                .recipients
                .iter()
                .map(|(id, recipient)| wit::RecipientInfo {
                    id: id.clone(),
                    name: recipient.name.clone(),
                    contact: recipient.contact.clone(),
                })
                .collect(),
        }
    }

    fn evaluate(&self, case_json: String, as_of: String) -> Result<wit::Evaluation, wit::Error> {
        let as_of: core::Date = as_of
            .parse()
            .map_err(|err| error(core::EvaluateError::InvalidAsOf(err)))?;
        let case = self.0.parse_case(&case_json).map_err(error)?;
        self.0.evaluate(&case, as_of).map(evaluation).map_err(error)
    }

    fn evaluate_json(&self, case_json: String, as_of: String) -> Result<String, wit::Error> {
        core::evaluate_json(&self.0, &case_json, &as_of).map_err(error)
    }

    fn evaluate_text(&self, case_json: String, as_of: String) -> Result<wit::EvaluationText, wit::Error> {
        core::evaluate_text(&self.0, &case_json, &as_of)
            .map(|rendered| wit::EvaluationText {
                complete: rendered.complete,
                text: rendered.text,
            })
            .map_err(error)
    }

    fn evaluate_json_with_parameters(
        &self,
        case_json: String,
        as_of: String,
        parameters_json: String,
    ) -> Result<String, wit::Error> {
        let parameters = core::parameters_from_json(&parameters_json).map_err(error)?;
        core::evaluate_json_with_parameters(&self.0, &case_json, &as_of, &parameters).map_err(error)
    }
}

fn pack_source(pack: wit::PackSource) -> core::PackSource {
    core::PackSource {
        location: pack.location,
        manifest: pack.manifest,
        files: pack
            .files
            .into_iter()
            .map(|file| core::SourceFile {
                path: file.path,
                text: file.text,
            })
            .collect(),
    }
}

fn number(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn diagnostic(problem: &core::PackProblem) -> wit::Diagnostic {
    let location = problem.location();
    wit::Diagnostic {
        severity: match problem.severity() {
            core::ProblemSeverity::Error => wit::Severity::Error,
            core::ProblemSeverity::Warning => wit::Severity::Warning,
        },
        code: problem.code().to_owned(),
        message: problem.message().to_owned(),
        help: problem.help_text().map(str::to_owned),
        file: location.map(|l| l.file.clone()),
        line: location.map(|l| number(l.line)),
        column: location.map(|l| number(l.column)),
    }
}

fn failure(failure: core::Failure) -> wit::Failure {
    wit::Failure {
        rule: failure.rule,
        pack: failure.pack,
        file: failure.file,
        line: failure.line.map(number),
        column: failure.column.map(number),
        kind: match failure.kind {
            core::FailureKind::Runtime => wit::FailureKind::Runtime,
            core::FailureKind::Limit => wit::FailureKind::Limit,
            core::FailureKind::InvalidResult => wit::FailureKind::InvalidResult,
        },
        limit: failure.limit.map(|limit| limit.as_str().to_owned()),
        max: failure.max,
        message: failure.message,
        help: failure.help,
    }
}

fn status(status: core::Status) -> wit::Status {
    match status {
        core::Status::Overdue => wit::Status::Overdue,
        core::Status::Due => wit::Status::Due,
        core::Status::Upcoming => wit::Status::Upcoming,
    }
}

fn date(date: Option<core::Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// Core's rendering of an error, with the problems behind it.
fn rendered(
    code: wit::ErrorCode,
    report: core::ErrorReport,
    diagnostics: Vec<wit::Diagnostic>,
    case_problems: Vec<wit::CaseProblem>,
) -> wit::Error {
    wit::Error {
        code,
        message: report.message,
        text: report.text,
        json: report.json,
        diagnostics,
        case_problems,
    }
}

/// A load error as core renders it, with its problems.
fn load_error(err: &core::LoadError) -> wit::Error {
    let diagnostics = err.problems().iter().map(diagnostic).collect();
    rendered(wit::ErrorCode::InvalidRules, err.report(), diagnostics, Vec::new())
}

/// A case problem (or a FHIR problem, the same type) as WIT's.
fn case_problem(p: &core::CaseProblem) -> wit::CaseProblem {
    wit::CaseProblem {
        path: p.path().to_owned(),
        message: p.message().to_owned(),
        help: p.help().map(str::to_owned),
        line: p.position().map(|(line, _)| number(line)),
        column: p.position().map(|(_, column)| number(column)),
    }
}

/// An evaluation error as core renders it, with the case's problems when it has them.
fn error(err: core::EvaluateError) -> wit::Error {
    let (code, case_problems) = match &err {
        core::EvaluateError::InvalidCase(case) => (
            wit::ErrorCode::InvalidCase,
            case.problems().iter().map(case_problem).collect(),
        ),
        core::EvaluateError::InvalidAsOf(_) => (wit::ErrorCode::InvalidAsOf, Vec::new()),
        core::EvaluateError::NotInForce { .. } => (wit::ErrorCode::NotInForce, Vec::new()),
        core::EvaluateError::InvalidParameter { .. } | core::EvaluateError::ParametersNotAnObject(_) => {
            (wit::ErrorCode::InvalidParameter, Vec::new())
        }
    };
    rendered(code, err.report(), Vec::new(), case_problems)
}

fn layer(layer: &core::LayerRef) -> wit::Layer {
    wit::Layer {
        id: layer.id.clone(),
        version: layer.version.clone(),
    }
}

fn owner(owner: core::Owner) -> wit::Owner {
    match owner {
        core::Owner::Council => wit::Owner::Council,
        core::Owner::GpPractice => wit::Owner::GpPractice,
        core::Owner::Joint => wit::Owner::Joint,
    }
}

fn evaluation(evaluation: core::Evaluation) -> wit::Evaluation {
    let audit = evaluation.audit;
    wit::Evaluation {
        person_id: evaluation.person_id,
        complete: evaluation.complete,
        failures: evaluation.failures.into_iter().map(failure).collect(),
        eligibility: evaluation
            .eligibility
            .into_iter()
            .map(|d| wit::EligibilityDecision {
                scheme: d.scheme,
                decision: match d.decision {
                    core::Decision::Eligible => wit::Decision::Eligible,
                    core::Decision::NotEligible => wit::Decision::NotEligible,
                    core::Decision::InsufficientInformation => wit::Decision::InsufficientInformation,
                },
                failed_condition: d.failed_condition,
                reasons: d.reasons,
                rule: d.rule,
                cites: d.cites,
            })
            .collect(),
        reviews: evaluation
            .reviews
            .into_iter()
            .map(|r| wit::ReviewDue {
                kind: r.kind.as_str().to_owned(),
                owner: owner(r.owner),
                window_opens: date(r.window_opens),
                due: r.due.to_string(),
                status: status(r.status),
                reason: r.reason,
                rule: r.rule,
                cites: r.cites,
            })
            .collect(),
        escalations: evaluation
            .escalations
            .into_iter()
            .map(|e| wit::Escalation {
                level: match e.level {
                    core::EscalationLevel::Emergency => wit::EscalationLevel::Emergency,
                    core::EscalationLevel::Urgent => wit::EscalationLevel::Urgent,
                    core::EscalationLevel::High => wit::EscalationLevel::High,
                    core::EscalationLevel::Routine => wit::EscalationLevel::Routine,
                },
                to: e.to,
                to_name: e.to_name,
                respond_by: e.respond_by.to_string(),
                status: status(e.status),
                reason: e.reason,
                rule: e.rule,
                cites: e.cites,
            })
            .collect(),
        recommendations: evaluation
            .recommendations
            .into_iter()
            .map(|r| wit::Recommendation {
                code: r.code,
                reason: r.reason,
                owner: r.owner.map(owner),
                due: date(r.due),
                status: r.status.map(status),
                rule: r.rule,
                cites: r.cites,
            })
            .collect(),
        audit: wit::Audit {
            engine: audit.engine,
            pack_id: audit.pack.id,
            pack_version: audit.pack.version,
            pack_digest: audit.pack.digest,
            layers: audit.layers.iter().map(layer).collect(),
            as_of: audit.as_of.to_string(),
            rules_evaluated: audit.rules_evaluated,
            rules_fired: audit.rules_fired,
            rules_not_in_force: audit
                .rules_not_in_force
                .into_iter()
                .map(|n| wit::NotInForce {
                    rule: n.rule,
                    pack: n.pack,
                    effective_from: date(n.effective_from),
                    effective_to: date(n.effective_to),
                })
                .collect(),
        },
    }
}

export!(Component);
