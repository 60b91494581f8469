//! The layers of a pack: the chain from the pack down to the base it extends, what the
//! layers declare merged base first, and the parameters rules read on each date.

use std::collections::{BTreeMap, BTreeSet};

use rhai::{Dynamic, Map};

use super::PackSource;
use crate::diagnostics::{LoadError, PackProblem, SharedSource};
use crate::model::manifest::{LocalFieldDef, Manifest, ParamValue, Parameter, RecipientDef, SchemeDef};
use crate::sandbox::limits::Limit;
use crate::{Date, Limits};

/// A parsed layer: manifest plus its files, with sources ready for messages.
pub(super) struct Layer {
    pub manifest: Manifest,
    pub files: Vec<(String, SharedSource)>,
    pub source: PackSource,
}

fn file_name(location: &str, path: &str) -> String {
    if location.is_empty() {
        path.to_owned()
    } else {
        format!("{}/{path}", location.trim_end_matches('/'))
    }
}

/// The `[pack] id` of a manifest, if it can be read and is within `max` bytes.
fn manifest_id(manifest: &str, max: usize) -> Option<String> {
    if manifest.len() > max {
        return None;
    }
    let table: toml::Table = toml::from_str(manifest).ok()?;
    table.get("pack")?.get("id")?.as_str().map(str::to_owned)
}

/// The pack and the parents it `extends`, looked up by id among `available`, base
/// first; or every problem found reading their manifests and following `extends`.
pub(super) fn resolve(pack: &PackSource, available: &[PackSource], limits: &Limits) -> Result<Vec<Layer>, LoadError> {
    let mut problems = Vec::new();
    let max_manifest = limits.max_manifest_size;
    // Target first, then parent, grandparent...
    let mut chain: Vec<Layer> = Vec::new();
    let mut next = Some(pack.clone());
    while let Some(source) = next.take() {
        let manifest_text = source.manifest.strip_prefix('\u{feff}').unwrap_or(&source.manifest);
        let manifest_name = file_name(&source.location, "pack.toml");
        if manifest_text.len() > max_manifest {
            problems.push(PackProblem::new(
                "careplan::limit",
                format!(
                    "`{manifest_name}` is {} bytes, over the `{}` limit of {max_manifest}",
                    manifest_text.len(),
                    Limit::ManifestSize
                ),
            ));
            break;
        }
        if chain.len() >= limits.max_layers {
            let ids: Vec<&str> = chain.iter().map(|l| l.manifest.id.as_str()).collect();
            problems.push(
                PackProblem::new(
                    "careplan::limit",
                    format!(
                        "the pack has more than {} layers, the `{}` limit: {} extends more",
                        limits.max_layers,
                        Limit::Layers,
                        ids.join(" extends ")
                    ),
                )
                .with_help("a local pack extends the national one; deeper chains are not needed"),
            );
            break;
        }
        let manifest_source = SharedSource::new(manifest_name, manifest_text);
        let manifest = match Manifest::parse(manifest_source) {
            Ok(manifest) => manifest,
            Err(mut found) => {
                problems.append(&mut found);
                break;
            }
        };
        if let Some((parent, span)) = &manifest.extends {
            if chain.iter().any(|l| &l.manifest.id == parent) || parent == &manifest.id {
                let mut cycle: Vec<&str> = chain.iter().map(|l| l.manifest.id.as_str()).collect();
                cycle.push(&manifest.id);
                cycle.push(parent);
                problems.push(
                    PackProblem::new(
                        "careplan::layering",
                        format!("packs extend each other in a cycle: {}", cycle.join(" extends ")),
                    )
                    .at_span(&manifest.source, span.0, span.1)
                    .with_label("this makes the cycle"),
                );
            } else {
                let found: Vec<&PackSource> = available
                    .iter()
                    .filter(|candidate| {
                        manifest_id(&candidate.manifest, max_manifest).as_deref() == Some(parent.as_str())
                    })
                    .collect();
                match found.as_slice() {
                    [one] => next = Some((*one).clone()),
                    [] => {
                        let ids: Vec<String> = available
                            .iter()
                            .filter_map(|c| manifest_id(&c.manifest, max_manifest))
                            .collect();
                        let help =
                            crate::diagnostics::suggest::did_you_mean_help(parent, ids.iter().map(String::as_str))
                                .unwrap_or_else(|| {
                                    if ids.is_empty() {
                                        "no other packs were found beside this one".to_owned()
                                    } else {
                                        format!(
                                            "packs available: {}",
                                            ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                                        )
                                    }
                                });
                        problems.push(
                            PackProblem::new(
                                "careplan::layering",
                                format!("pack `{}` extends `{parent}`, which cannot be found", manifest.id),
                            )
                            .at_span(&manifest.source, span.0, span.1)
                            .with_label("no pack has this id")
                            .with_help(help),
                        );
                    }
                    many => problems.push(
                        PackProblem::new(
                            "careplan::layering",
                            format!(
                                "{} packs have the id `{parent}`: {}",
                                many.len(),
                                many.iter()
                                    .map(|m| format!("`{}`", m.location))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                        .at_span(&manifest.source, span.0, span.1),
                    ),
                }
            }
        }
        let files = source
            .files
            .iter()
            .map(|file| {
                let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
                (
                    file.path.clone(),
                    SharedSource::new(file_name(&source.location, &file.path), text),
                )
            })
            .collect();
        chain.push(Layer {
            manifest,
            files,
            source,
        });
    }
    chain.reverse(); // base first
    if problems.is_empty() && !chain.is_empty() {
        return Ok(chain);
    }
    let id = chain
        .last()
        .map_or_else(|| pack.location.clone(), |l| l.manifest.id.clone());
    Err(LoadError::new(id, problems))
}

/// What the layers declare, merged base first: a child's scheme, recipient, parameter
/// or local field replaces its parent's of the same name.
pub(super) struct Declarations {
    pub schemes: BTreeMap<String, SchemeDef>,
    pub recipients: BTreeMap<String, RecipientDef>,
    pub parameters: BTreeMap<String, Parameter>,
    pub local_fields: BTreeMap<String, LocalFieldDef>,
}

/// Merges the layers' declarations, base first. A pack that extends another may set
/// its parents' parameters (with a value of the same type) and declare new ones only
/// with `local = true`, so a misspelt parent parameter is an error rather than a new
/// parameter; a recipient that replaces a parent's is a warning unless marked
/// `override = true`.
pub(super) fn merge(chain: &[Layer], problems: &mut Vec<PackProblem>) -> Declarations {
    let mut schemes = BTreeMap::new();
    let mut recipients: BTreeMap<String, RecipientDef> = BTreeMap::new();
    let mut recipient_owners: BTreeMap<String, String> = BTreeMap::new();
    let mut parameters: BTreeMap<String, Parameter> = BTreeMap::new();
    let mut local_fields = BTreeMap::new();
    for (depth, layer) in chain.iter().enumerate() {
        let manifest = &layer.manifest;
        let first_problem = problems.len();
        schemes.extend(manifest.schemes.clone());
        local_fields.extend(manifest.local_fields.clone());
        for (id, recipient) in &manifest.recipients {
            let place = |problem: PackProblem| match table_span(&manifest.source, "recipients", id) {
                Some((offset, len)) => problem.at_span(&manifest.source, offset, len),
                None => problem.in_file(&manifest.source),
            };
            match (recipient_owners.get(id), recipient.replaces) {
                (Some(owner), false) => problems.push(
                    place(PackProblem::new(
                        "careplan::layering",
                        format!("recipient `{id}` replaces pack `{owner}`'s recipient of the same id"),
                    ))
                    .warning()
                    .with_label("replaces the parent's recipient")
                    .with_help(
                        "escalations the parent's rules send to it now reach this one; add `override = true` to the recipient if that is meant, or give it another id",
                    ),
                ),
                (None, true) => problems.push(
                    place(PackProblem::new(
                        "careplan::layering",
                        format!("recipient `{id}` is marked `override = true`, but no parent pack has a recipient `{id}`"),
                    ))
                    .with_help(
                        crate::diagnostics::suggest::did_you_mean_help(id, recipient_owners.keys().map(String::as_str))
                            .unwrap_or_else(|| "remove `override = true` to add a new recipient".to_owned()),
                    ),
                ),
                _ => {}
            }
            recipient_owners.insert(id.clone(), manifest.id.clone());
            recipients.insert(id.clone(), recipient.clone());
        }
        for (name, parameter) in &manifest.parameters {
            let at = |problem: PackProblem| problem.at_span(&manifest.source, parameter.span.0, parameter.span.1);
            let Some(old) = parameters.get(name) else {
                if depth > 0 && !parameter.local {
                    let parent = chain.get(depth - 1).map_or("", |l| l.manifest.id.as_str());
                    let help = crate::diagnostics::suggest::did_you_mean_help(name, parameters.keys().map(String::as_str))
                        .map(|help| format!("{help} (or, to declare a new parameter of this pack, write it as a table with `local = true`)"))
                        .unwrap_or_else(|| {
                            "to declare a new parameter of this pack, write it as a table with `local = true`".to_owned()
                        });
                    problems.push(
                        at(PackProblem::new(
                            "careplan::parameter",
                            format!("parameter `{name}` is not a parameter of `{parent}` or the packs it extends"),
                        ))
                        .with_label("sets a parameter no parent declares")
                        .with_help(help),
                    );
                }
                parameters.insert(name.clone(), parameter.clone());
                continue;
            };
            if parameter.local {
                problems.push(
                    at(PackProblem::new(
                        "careplan::parameter",
                        format!(
                            "parameter `{name}` is declared `local = true`, but pack `{}` already has it",
                            old.set_by
                        ),
                    ))
                    .with_help(
                        "remove `local = true` to set the parent's parameter, or give the new parameter another name",
                    ),
                );
                continue;
            }
            if !old.kind.accepts(parameter.kind) {
                problems.push(at(PackProblem::new(
                    "careplan::layering",
                    format!(
                        "parameter `{name}` is {} in pack `{}` but {} here",
                        old.kind.describe(),
                        old.set_by,
                        parameter.kind.describe()
                    ),
                )));
                continue;
            }
            let mut merged = parameter.clone();
            // The declared type holds, and a child that only sets a value keeps the
            // parent's documentation.
            merged.kind = old.kind;
            merged.description = merged.description.or_else(|| old.description.clone());
            merged.source = merged.source.or_else(|| old.source.clone());
            merged.gk = merged.gk || (parameter.description.is_none() && old.gk);
            parameters.insert(name.clone(), merged);
        }
        // The layer's problems in the order of their places in its manifest.
        let found = problems.split_off(first_problem);
        problems.extend(crate::check::in_source_order(found));
    }
    Declarations {
        schemes,
        recipients,
        parameters,
        local_fields,
    }
}

/// The byte span of the header `[<section>.<key>]` in a manifest, when written so.
pub(crate) fn table_span(source: &SharedSource, section: &str, key: &str) -> Option<(usize, usize)> {
    let header = format!("[{section}.{key}]");
    let offset = source.text.find(&header)?;
    Some((offset, header.len()))
}

/// The parameters rules read: the map in force before every layer's dates, and the map
/// in force from each of those dates, in date order.
pub(crate) struct DatedParams {
    pub(super) before: Dynamic,
    pub(super) from: Vec<(Date, Dynamic)>,
}

/// The parameter maps in force from each date. A layer with an `effective_from` or
/// `effective_to` sets its parameters only on the dates its own rules run; outside them
/// the value of the layer below holds (or, for a parameter no layer below sets, the
/// layer's own value, which only its own rules read). Maps are built once, at load, for
/// each span between the layers' dates.
pub(super) fn dated_parameters(chain: &[Layer], layered: &BTreeMap<String, Parameter>) -> DatedParams {
    let window = |m: &Manifest| (m.effective_from, m.effective_to);
    let in_window = |(from, to): (Option<Date>, Option<Date>), day: Option<Date>| match day {
        // The span before every date: only a layer with no first day covers it.
        None => from.is_none(),
        Some(day) => from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t),
    };
    let mut starts: BTreeSet<Date> = BTreeSet::new();
    for layer in chain.iter().filter(|l| !l.manifest.parameters.is_empty()) {
        let (from, to) = window(&layer.manifest);
        starts.extend(from);
        starts.extend(to.and_then(|t| t.add_days(1).ok()));
    }
    let on = |day: Option<Date>| {
        let mut map = Map::new();
        for (name, parameter) in layered {
            // The topmost layer that sets it and is in force on `day`, else the lowest.
            let setters = chain
                .iter()
                .filter_map(|l| l.manifest.parameters.get(name).map(|p| (l, p)));
            let chosen = setters
                .clone()
                .rfind(|(l, _)| in_window(window(&l.manifest), day))
                .or_else(|| setters.clone().next())
                .map_or(parameter.value.as_ref(), |(_, p)| p.value.as_ref());
            map.insert(name.as_str().into(), chosen.map_or(Dynamic::UNIT, param_dynamic));
        }
        Dynamic::from_map(map)
    };
    DatedParams {
        before: on(None),
        from: starts.into_iter().map(|day| (day, on(Some(day)))).collect(),
    }
}

pub(crate) fn param_dynamic(value: &ParamValue) -> Dynamic {
    match value {
        ParamValue::Integer(i) => Dynamic::from_int(*i),
        ParamValue::Number(f) => Dynamic::from_float(*f),
        ParamValue::Bool(b) => Dynamic::from_bool(*b),
        ParamValue::String(s) => Dynamic::from(rhai::ImmutableString::from(s.as_str())),
        ParamValue::Date(d) => Dynamic::from(*d),
        ParamValue::List(items) => Dynamic::from_array(items.iter().map(param_dynamic).collect()),
    }
}
