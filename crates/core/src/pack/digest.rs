//! The pack digest: what identifies a pack's exact text in every evaluation's audit.

use sha2::{Digest, Sha256};

use super::{PackSource, SourceFile};

/// The pack digest: SHA-256 over each layer's manifest and files (sorted by path),
/// base first, every piece length-prefixed so that no two packs share a digest by
/// moving text between files.
pub(super) fn digest<'a>(layers: impl Iterator<Item = &'a PackSource>) -> String {
    let mut hasher = Sha256::new();
    let mut piece = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    for layer in layers {
        piece(b"careplan-pack-v1");
        piece(layer.manifest.as_bytes());
        let mut files: Vec<&SourceFile> = layer.files.iter().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        for file in files {
            piece(file.path.as_bytes());
            piece(file.text.as_bytes());
        }
    }
    let hash = hasher.finalize();
    let mut text = String::from("sha256:");
    for byte in hash.iter() {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}
