//! Figure 6 per party: each side of an initial sync runs in its own process,
//! so its peak resident memory (VmHWM) is its own. The bench binary starts
//! itself twice: `--party serve DIR` opens the citizen's vault, starts a node,
//! prints an invite ticket and serves until its input closes; `--party join
//! TICKET DIR` creates a counselor's vault and joins; `--party load SAVE`
//! is the baseline: `AutoCommit::load` of the same document's save, alone.
//! Each prints its peak memory as the last line.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use inwonercloud_schemas::Role;
use inwonercloud_sync::{Node, NodeConfig, Ticket};
use inwonercloud_vault::Vault;

/// Peak resident memory of this process so far, in bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        })
        .unwrap_or(0)
        * 1024
}

/// Runs a party when the arguments ask for one; returns whether it did.
pub async fn run_if_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let Some(i) = args.iter().position(|a| a == "--party") else {
        return false;
    };
    match (args.get(i + 1).map(String::as_str), args.get(i + 2), args.get(i + 3)) {
        (Some("serve"), Some(dir), Some(doc)) => serve(Path::new(dir), doc).await,
        (Some("join"), Some(ticket), Some(dir)) => join(ticket, Path::new(dir)).await,
        (Some("load"), Some(file), _) => load(Path::new(file)),
        _ => eprintln!("usage: --party serve DIR DOC | --party join TICKET DIR | --party load SAVE"),
    }
    true
}

async fn serve(dir: &Path, doc: &str) {
    let vault = Vault::open(dir, &crate::pass()).expect("open");
    let node = Node::spawn(vault, NodeConfig::loopback()).await.expect("node");
    let ticket = node.invite(crate::invite_spec(doc), 600).expect("invite");
    println!("{ticket}");
    std::io::stdout().flush().ok();
    // Serve until the parent closes our input.
    let mut line = String::new();
    let _ = tokio::task::spawn_blocking(move || std::io::stdin().read_line(&mut line)).await;
    node.shutdown().await;
    println!("{}", peak_rss());
}

async fn join(ticket: &str, dir: &Path) {
    let ticket: Ticket = ticket.parse().expect("ticket");
    let vault = crate::create(dir, "Bert", Role::Counselor);
    let node = Node::spawn(vault, NodeConfig::loopback()).await.expect("node");
    let report = node.join(&ticket).await.expect("join");
    node.shutdown().await;
    println!("{}", report.received_changes);
    println!("{}", peak_rss());
}

fn load(file: &Path) {
    let bytes = std::fs::read(file).expect("save file");
    let mut doc = automerge::AutoCommit::load(&bytes).expect("load");
    assert!(!doc.get_heads().is_empty(), "the document has history");
    println!("{}", peak_rss());
}

/// Peak memory of a process that only loads `save` with automerge.
pub fn automerge_load_peak(save: &[u8], work: &Path) -> u64 {
    let file = work.join("budget.automerge");
    std::fs::write(&file, save).expect("write save");
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(["--party", "load"])
        .arg(&file)
        .output()
        .expect("load");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .unwrap_or(0)
}

/// Syncs the citizen's vault at `dir` to a new counselor, each in its own
/// process. Returns the peak memory of (citizen, counselor) in bytes.
pub fn measure(dir: &Path, doc: &str, work: &Path) -> (u64, u64) {
    let me = std::env::current_exe().expect("own path");
    let mut server = Command::new(&me)
        .args(["--party", "serve"])
        .arg(dir)
        .arg(doc)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut out = BufReader::new(server.stdout.take().expect("stdout"));
    let mut ticket = String::new();
    out.read_line(&mut ticket).expect("ticket");
    let joined = Command::new(&me)
        .args(["--party", "join", ticket.trim()])
        .arg(work.join("counselor-party"))
        .output()
        .expect("join");
    let lines: Vec<u64> = String::from_utf8_lossy(&joined.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    drop(server.stdin.take());
    let mut rest = String::new();
    let mut last = 0;
    while out.read_line(&mut rest).map(|n| n > 0).unwrap_or(false) {
        if let Ok(v) = rest.trim().parse() {
            last = v;
        }
        rest.clear();
    }
    server.wait().ok();
    assert!(
        lines.first().copied().unwrap_or(0) > 0,
        "the counselor received the document"
    );
    (last, lines.last().copied().unwrap_or(0))
}
