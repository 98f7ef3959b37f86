package dev.switchover.starter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchover.workflows.spec.DurationText;
import java.time.Duration;
import java.util.List;

/** JSON for scripts: ISO-8601 instants, durations as in the spec ("1m30s"), pretty-printed. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule().addSerializer(Duration.class, new DurationText.Serializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    /** A value as a JSON object, to add fields to before printing. */
    static ObjectNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** A list as a JSON array, to add to an object. */
    static ArrayNode tree(List<?> values) {
        return MAPPER.valueToTree(values);
    }

    static String pretty(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
