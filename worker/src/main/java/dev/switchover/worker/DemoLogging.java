package dev.switchover.worker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The demo's terminal tells its story: the migration's phases and the demo's own lines, and
 * errors; the worker's SSH commands and the writer's refused writes at the freeze go to a log
 * file beside the report, in full.
 */
final class DemoLogging {
    /** The loggers whose INFO lines are the story: the workflow's phases. */
    static final String STORY = "dev.switchover.workflows";

    private DemoLogging() {}

    /** Routes everything to {@code logFile}, and to the terminal only the story and errors. */
    static void quiet(Path logFile) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> console = root.getAppender("STDERR");

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("DEMO_FILE");
        file.setFile(logFile.toString());
        file.setAppend(false);
        file.setEncoder(encoder);
        file.start();
        root.addAppender(file);
        if (console == null) return;

        root.detachAppender(console);
        Logger story = context.getLogger(STORY);
        story.addAppender(console);
        // Everything else reaches the terminal only as an error.
        ThresholdFilter errors = new ThresholdFilter();
        errors.setLevel(Level.ERROR.levelStr);
        errors.start();
        Appender<ILoggingEvent> errorsOnly = consoleErrors(context, errors);
        root.addAppender(errorsOnly);
    }

    private static Appender<ILoggingEvent> consoleErrors(LoggerContext context, ThresholdFilter filter) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        encoder.start();
        ch.qos.logback.core.ConsoleAppender<ILoggingEvent> a = new ch.qos.logback.core.ConsoleAppender<>() {
            @Override
            protected void append(ILoggingEvent event) {
                // The story's own errors already reach the terminal through its appender.
                if (!event.getLoggerName().startsWith(STORY)) super.append(event);
            }
        };
        a.setContext(context);
        a.setName("DEMO_ERRORS");
        a.setTarget("System.err");
        a.setEncoder(encoder);
        a.addFilter(filter);
        a.start();
        return a;
    }
}
