//! The component build is reproducible: building it again, in another directory, gives
//! the same bytes as the component embedded in this crate.

#[path = "../build/component.rs"]
mod component;

use std::path::Path;

#[test]
fn a_second_build_in_another_directory_gives_the_same_bytes() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace exists");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reproducible-component");
    let again = component::build(&workspace, &target_dir).expect("the component builds");
    assert_eq!(
        again.len(),
        careplan_host::COMPONENT.len(),
        "the two builds differ in size"
    );
    assert!(again == careplan_host::COMPONENT, "the two builds differ");
}
