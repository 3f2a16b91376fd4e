//! Scratch files for tests that are removed when the test is done with them.
//!
//! Every test used to leave its SQLite file (with its `-wal` and `-shm`) and its other files in
//! the system's temporary directory; over a few hundred runs of the suite that filled the disk
//! and made a build fail for want of space. Each scratch path now lives in a directory of its
//! own that is deleted, with everything in it, when the value is dropped: when the test returns
//! and also when it panics.

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A path named `name` inside a fresh temporary directory, removed with the directory on drop.
pub struct Scratch {
    path: PathBuf,
    _directory: tempfile::TempDir,
}

impl Scratch {
    /// A path called `name` in a new, empty temporary directory; the file is not created.
    pub fn new(name: &str) -> Self {
        let directory = Self::directory();
        Scratch {
            path: directory.join(name),
            _directory: directory._directory,
        }
    }

    /// A new, empty temporary directory.
    pub fn directory() -> Self {
        let directory = tempfile::Builder::new()
            .prefix("peyvand-test-")
            .tempdir()
            .expect("a temporary directory can be made");
        Scratch {
            path: directory.path().to_path_buf(),
            _directory: directory,
        }
    }
}

impl Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}
