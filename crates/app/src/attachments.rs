//! Files attached to cases, by staff (API) and by customers (portal). A file is checked by the
//! domain (size, kind, content, name), written under its generated id in the server's files
//! directory — outside any web root, never under the name it came with — and recorded; it is
//! read back only through a check that the reader may see its case.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use peyvand_domain::attachment;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_store::AttachmentRow;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::portal::PortalSession;
use crate::records::read_checked;

/// Where attachments are stored.
pub(crate) struct FilesDir(RwLock<PathBuf>);

impl Default for FilesDir {
    fn default() -> FilesDir {
        FilesDir(RwLock::new(PathBuf::from("peyvand-files")))
    }
}

/// Who attaches a file.
enum Uploader<'a> {
    Staff(&'a Session),
    Customer,
}

impl App {
    /// Sets the directory attachments are stored in (the server's `--files-dir`).
    pub fn set_files_dir(&self, dir: PathBuf) {
        *self.files_dir.0.write().unwrap_or_else(|e| e.into_inner()) = dir;
    }

    fn file_path(&self, id: Uuid) -> PathBuf {
        self.files_dir
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .join(id.simple().to_string())
    }

    async fn store_attachment(
        &self,
        case_id: Uuid,
        name: &str,
        bytes: Vec<u8>,
        uploader: Uploader<'_>,
    ) -> AppResult<AttachmentRow> {
        let file_name = attachment::sanitize_name(name).ok_or(AppError::field(
            "file",
            peyvand_domain::validation::FieldError::REQUIRED,
        ))?;
        let content_type =
            attachment::check(&file_name, &bytes).map_err(|e| AppError::field("file", e))?;
        let row = AttachmentRow {
            id: Uuid::now_v7(),
            case_id,
            file_name,
            content_type: content_type.to_owned(),
            size: bytes.len() as i64,
            uploaded_by: match uploader {
                Uploader::Staff(session) => Some(session.actor.user_id),
                Uploader::Customer => None,
            },
            from_customer: matches!(uploader, Uploader::Customer),
            created_at: self.now(),
        };
        let path = self.file_path(row.id);
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| AppError::Internal(format!("files directory: {e}")))?;
        }
        tokio::fs::write(&path, &bytes)
            .await
            .map_err(|e| AppError::Internal(format!("writing an attachment: {e}")))?;
        let recorded = async {
            let mut tx = self.store.write().await?;
            tx.insert_attachment(&row).await?;
            tx.commit().await?;
            AppResult::Ok(())
        }
        .await;
        if let Err(error) = recorded {
            // No record, no file: nothing is left half-stored.
            let _ = tokio::fs::remove_file(&path).await;
            return Err(error);
        }
        Ok(row)
    }

    /// Attaches a file to a case the staff member may change.
    pub async fn attach_to_case(
        &self,
        session: &Session,
        case_id: Uuid,
        name: &str,
        bytes: Vec<u8>,
    ) -> AppResult<AttachmentRow> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, RecordKind::Case, case_id, Action::Update).await?;
        drop(tx);
        self.store_attachment(case_id, name, bytes, Uploader::Staff(session))
            .await
    }

    /// The attachments of a case the staff member may read.
    pub async fn case_attachments(
        &self,
        session: &Session,
        case_id: Uuid,
    ) -> AppResult<Vec<AttachmentRow>> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, RecordKind::Case, case_id, Action::Read).await?;
        Ok(tx.attachments_of(case_id).await?)
    }

    /// An attachment and its content, for a staff member who may read its case.
    pub async fn attachment_for_staff(
        &self,
        session: &Session,
        id: Uuid,
    ) -> AppResult<(AttachmentRow, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        let row = tx.attachment(id).await?.ok_or(AppError::NotFound)?;
        read_checked(
            &mut tx,
            session,
            RecordKind::Case,
            row.case_id,
            Action::Read,
        )
        .await?;
        drop(tx);
        self.read_file(row).await
    }

    async fn read_file(&self, row: AttachmentRow) -> AppResult<(AttachmentRow, Vec<u8>)> {
        let bytes = tokio::fs::read(self.file_path(row.id))
            .await
            .map_err(|e| AppError::Internal(format!("reading an attachment: {e}")))?;
        Ok((row, bytes))
    }

    /// Attaches a file the customer sends to one of their cases.
    pub async fn portal_attach(
        &self,
        portal: &PortalSession,
        case_id: Uuid,
        name: &str,
        bytes: Vec<u8>,
    ) -> AppResult<AttachmentRow> {
        self.portal_case(portal, case_id).await?;
        self.store_attachment(case_id, name, bytes, Uploader::Customer)
            .await
    }

    /// The attachments of one of the customer's cases.
    pub async fn portal_attachments(
        &self,
        portal: &PortalSession,
        case_id: Uuid,
    ) -> AppResult<Vec<AttachmentRow>> {
        self.portal_case(portal, case_id).await?;
        Ok(self.store.read().await?.attachments_of(case_id).await?)
    }

    /// An attachment of one of the customer's cases and its content; others are not found.
    pub async fn portal_attachment(
        &self,
        portal: &PortalSession,
        id: Uuid,
    ) -> AppResult<(AttachmentRow, Vec<u8>)> {
        let row = self
            .store
            .read()
            .await?
            .attachment(id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.portal_case(portal, row.case_id).await?;
        self.read_file(row).await
    }
}

/// Shared so that every clone of the application stores files in one place.
pub(crate) type SharedFilesDir = Arc<FilesDir>;
