// mimalloc: the loader and exporters allocate many small strings; it is
// measurably faster than the system allocator here (see bench/README.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    briefdeck::run()
}
