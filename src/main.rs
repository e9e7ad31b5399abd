fn main() -> std::process::ExitCode {
    mailprobe::cli::run()
}
