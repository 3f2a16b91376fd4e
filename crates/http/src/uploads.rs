//! Files uploaded for import: streamed to a private temporary directory (never held in memory
//! whole), named by a random id that also names the rejected rows written back for the user.

use std::path::PathBuf;

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use peyvand_app::AppError;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// The largest file accepted for import.
pub const MAX_UPLOAD_BYTES: u64 = 1024 * 1024 * 1024;

/// The directory of uploads and rejects files.
fn dir() -> PathBuf {
    std::env::temp_dir().join("peyvand-imports")
}

/// Where `user`'s upload `id` is kept. The user is part of the name, so that nobody else can
/// reach an upload by guessing its id.
pub fn upload_path(user: Uuid, id: Uuid) -> PathBuf {
    dir().join(format!("{user}-{id}.upload"))
}

/// Where the rejected rows of the import of `user`'s upload `id` go.
pub fn rejects_path(user: Uuid, id: Uuid) -> PathBuf {
    dir().join(format!("{user}-{id}-rejected.csv"))
}

/// Writes a body stream to a new upload; a body over [`MAX_UPLOAD_BYTES`] is refused and its
/// partial file removed.
pub async fn save<S, E>(user: Uuid, mut body: S) -> Result<Uuid, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let io = |e: std::io::Error| AppError::Internal(format!("saving an upload: {e}"));
    tokio::fs::create_dir_all(dir()).await.map_err(io)?;
    let id = Uuid::now_v7();
    let path = upload_path(user, id);
    let mut file = tokio::fs::File::create(&path).await.map_err(io)?;
    let mut written = 0u64;
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(AppError::BadRequest("body"));
        };
        written += chunk.len() as u64;
        if written > MAX_UPLOAD_BYTES {
            drop(file);
            let _ = tokio::fs::remove_file(&path).await;
            return Err(AppError::File("too_large"));
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    if written == 0 {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(AppError::File("empty_file"));
    }
    Ok(id)
}
