package dev.switchover.workflows.spec;

import static dev.switchover.workflows.spec.SpecYaml.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The spec is the workflow's input: it must survive Temporal's default JSON conversion intact. */
class SpecPayloadTest {
    private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

    @ParameterizedTest
    @ValueSource(strings = {"postgresql.yaml", "mysql.yaml"})
    void loadedSpecSurvivesTheWorkflowInputConversion(String name) {
        MigrationSpec spec = SpecLoader.load(example(name));

        Payload payload = CONVERTER.toPayload(spec).orElseThrow();
        MigrationSpec back = CONVERTER.fromPayload(payload, MigrationSpec.class, MigrationSpec.class);

        assertEquals(spec, back);
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql.yaml", "mysql.yaml"})
    void durationsAndEnumsTravelAsTheOperatorWritesThem(String name) {
        MigrationSpec spec = SpecLoader.load(example(name));

        String json = CONVERTER.toPayload(spec).orElseThrow().getData().toString(StandardCharsets.UTF_8);

        for (String expected : List.of("\"holdFor\":\"30s\"", "\"pollEvery\":\"5s\"", "\"tls\":\"prefer\"")) {
            assertTrue(json.contains(expected), expected + " in " + json);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql.yaml", "mysql.yaml", "mysql-haproxy.yaml"})
    void completedSpecStillPassesValidation(String name) {
        // The workflow validates its input again, and the CLI sends the spec with defaults filled in.
        assertEquals(List.of(), SpecValidator.validate(SpecLoader.load(example(name))));
    }
}
