package io.depthscope.jobs.cli;

import io.depthscope.io.ForeignFormatException;
import io.depthscope.jobs.storage.StudyLock;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code bin/depthscope} and {@code spark-submit --class io.depthscope.jobs.cli.Main depthscope.jar}: one entry
 * point, one subcommand per task. A bad input ends with exit code 2 and one line naming the field, the
 * value and what is allowed (an output directory holding files this build does not read is one too); an
 * output directory in use by another study ends with exit code 3 and one line naming that study; an
 * unexpected failure with exit code 1 and its stack trace.
 */
@Command(name = "depthscope", mixinStandardHelpOptions = true, version = "depthscope 0.1.0",
        description = "Why are deeper networks harder to train? Training runs and second-order diagnostics at scale.",
        subcommands = {PlanCommand.class, StudyCommand.class, TrainCommand.class, ProbeCommand.class, BenchCommand.class,
            ReportCommand.class, ExplainCommand.class})
public final class Main implements Runnable {
    public static final int BAD_INPUT = 2;
    /** The output directory is locked by another study or {@code train} (see docs/storage.md). */
    public static final int OUTPUT_IN_USE = 3;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this rather than {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof StudyLock.HeldException) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return OUTPUT_IN_USE;
            }
            if (ex instanceof IllegalArgumentException || ex instanceof BadInputException || ex instanceof ForeignFormatException) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return BAD_INPUT;
            }
            commandLine.getErr().println("error: " + ex);
            ex.printStackTrace(commandLine.getErr());
            return 1;
        });
        // A bad option is a bad input like any other: one line, exit 2 (the usage is one --help away).
        cli.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("error: " + ex.getMessage() + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return BAD_INPUT;
        });
        return cli.execute(args);
    }
}
