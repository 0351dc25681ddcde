//! The `chanviz` binary: everything lives in `chanviz::cli`.

fn main() {
    std::process::exit(chanviz::cli::main());
}
