fn main() -> std::process::ExitCode {
    briefdeck::run()
}
