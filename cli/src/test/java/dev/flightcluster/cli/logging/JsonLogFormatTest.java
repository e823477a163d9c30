package dev.flightcluster.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * {@code --log-format json} on the CLI's own {@code logback.xml}: every line on stderr is a JSON
 * object with logback's field names (decision D69), and a line logged inside a span carries its
 * trace and span id.
 */
class JsonLogFormatTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String SPAN_ID = "b7ad6b7169203331";

  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream realStderr;

  @BeforeEach
  void setUp() throws Exception {
    // logback's console target writes to whatever System.err is at the time of each line.
    realStderr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    // What SLF4J's initialisation gives the process's context; the event copies the MDC from it.
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
  }

  @AfterEach
  void tearDown() {
    context.stop();
    System.setErr(realStderr);
  }

  @Test
  void linesAreJsonObjectsWithLevelLoggerMessageAndTheSpanIds() throws Exception {
    Logging.setFormat(context, LogFormat.JSON);
    Logger logger = context.getLogger("dev.flightcluster.server.DataServer");

    logger.info("outside any span");
    SpanContext spanContext =
        SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault());
    try (Scope scope = Span.wrap(spanContext).makeCurrent()) {
      logger.warn("serving {} to {}", "numbers", "a client");
    }

    List<JsonNode> lines = lines();
    assertThat(lines).hasSize(2);

    JsonNode outside = lines.get(0);
    assertThat(outside.path("level").asText()).isEqualTo("INFO");
    assertThat(outside.path("loggerName").asText())
        .isEqualTo("dev.flightcluster.server.DataServer");
    assertThat(outside.path("formattedMessage").asText()).isEqualTo("outside any span");
    assertThat(outside.path("mdc").path("trace_id").isMissingNode()).isTrue();

    JsonNode inside = lines.get(1);
    assertThat(inside.path("level").asText()).isEqualTo("WARN");
    assertThat(inside.path("loggerName").asText()).isEqualTo("dev.flightcluster.server.DataServer");
    assertThat(inside.path("formattedMessage").asText()).isEqualTo("serving numbers to a client");
    assertThat(inside.path("mdc").path("trace_id").asText()).isEqualTo(TRACE_ID);
    assertThat(inside.path("mdc").path("span_id").asText()).isEqualTo(SPAN_ID);
  }

  @Test
  void textStaysTheDefault() {
    Logging.setFormat(context, LogFormat.TEXT);
    context.getLogger("dev.flightcluster.server.DataServer").info("plain");

    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .doesNotStartWith("{")
        .contains("INFO", "d.f.server.DataServer - plain");
  }

  private List<JsonNode> lines() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : stderr.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        JsonNode node = json.readTree(line);
        assertThat(node.isObject()).as("line %s", line).isTrue();
        lines.add(node);
      }
    }
    return lines;
  }
}
