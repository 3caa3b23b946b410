//! What a node tells its sessions (and the app's subscribers).

/// Something sessions must know.
#[derive(Clone, Debug)]
pub(crate) enum Event {
    /// These documents changed (local write, import, header or consent change).
    Changed(Vec<String>),
}
