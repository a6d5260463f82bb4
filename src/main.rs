// mimalloc: imports hand rows from a reading thread to a writing one, and detection and exports
// allocate from several threads; glibc's allocator pays for each cross-thread free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mergeq::cli::main()
}
