//! The `vpc-reach` command line.

fn main() {
    std::process::exit(2);
}
