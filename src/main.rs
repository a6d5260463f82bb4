fn main() -> std::process::ExitCode {
    mergeq::cli::main()
}
