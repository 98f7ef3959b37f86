package dev.switchover.workflows.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a YAML tree against the shape of the spec records, found by reflection so that a new
 * record component needs no change here: unknown fields, mappings where a value belongs and the
 * reverse, numbers, booleans, durations and enum values. It also returns the tree with every
 * offending entry left out, so the rest can still be bound and checked by {@link SpecValidator}
 * and the operator learns of every mistake at once.
 *
 * <p>A value is repeated in a message only when the field holds a number, boolean, duration or
 * enum: a text field may be a password.
 */
final class SpecShape {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Map<Class<?>, String> ENUM_NOUNS = Map.of(
            Engine.class, "an engine switchover knows",
            CutoverMode.class, "a cutover mode",
            TrafficSwitch.class, "a way to switch traffic",
            HookHost.class, "a place a hook can run",
            TlsMode.class, "a TLS mode");

    /** The checked tree, what was wrong with it, and the paths those problems already explain. */
    record Result(ObjectNode accepted, List<SpecProblem> problems, Set<String> explained) {}

    private final List<SpecProblem> problems = new ArrayList<>();
    private final Set<String> explained = new HashSet<>();

    private SpecShape() {}

    static Result check(ObjectNode root) {
        SpecShape shape = new SpecShape();
        ObjectNode accepted = shape.mapping(root, MigrationSpec.class, "");
        return new Result(accepted, List.copyOf(shape.problems), Set.copyOf(shape.explained));
    }

    private ObjectNode mapping(JsonNode node, Class<?> type, String prefix) {
        Map<String, RecordComponent> components = components(type);
        ObjectNode accepted = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = entry.getKey();
            String path = prefix + key;
            RecordComponent component = components.get(key);
            if (component == null) {
                unknown(path, key, prefix, components.keySet());
                continue;
            }
            JsonNode value = entry.getValue();
            if (value.isNull() || value.isMissingNode()) continue;
            JsonNode checked = value(value, component.getType(), path);
            if (checked != null) accepted.set(key, checked);
        }
        return accepted;
    }

    /** The value if it fits {@code type}, else null after recording why. */
    private JsonNode value(JsonNode v, Class<?> type, String path) {
        if (type.isRecord()) {
            if (v.isObject()) return mapping(v, type, path + ".");
            return problem(
                    path,
                    "is " + kind(v) + "; write a mapping with "
                            + String.join(", ", components(type).keySet()) + " indented below it");
        }
        if (type == List.class) return list(v, path);
        if (v.isContainerNode()) {
            return problem(
                    path,
                    "is " + kind(v) + "; write a single value here (check the indentation of the lines below it)");
        }
        if (type == String.class) return v;
        if (type == Integer.class || type == Long.class) return integer(v, type, path);
        if (type == Double.class) {
            if (v.isNumber()
                    || (v.isTextual() && DECIMAL.matcher(v.asText().trim()).matches())) return v;
            return problem(path, quoted(v) + " is not a number; write digits, e.g. 1.5");
        }
        if (type == Boolean.class) {
            if (v.isBoolean()) return v;
            return problem(path, quoted(v) + " is not true or false; write true or false");
        }
        if (type == Duration.class) return duration(v, path);
        if (type.isEnum()) return enumValue(v, type, path);
        try {
            MAPPER.convertValue(v, type);
            return v;
        } catch (IllegalArgumentException e) {
            return problem(path, "cannot be read as " + type.getSimpleName() + "; check the value's type");
        }
    }

    /** A list of single values (the spec's lists hold words, such as days); one value alone is a list of one. */
    private JsonNode list(JsonNode v, String path) {
        if (v.isValueNode()) return JsonNodeFactory.instance.arrayNode().add(v);
        if (v.isArray()) {
            for (JsonNode item : v) {
                if (!item.isValueNode() || item.isNull()) {
                    return problem(path, "holds " + kind(item) + "; write a list of single values, e.g. [SAT, SUN]");
                }
            }
            return v;
        }
        return problem(path, "is " + kind(v) + "; write a list, e.g. [SAT, SUN]");
    }

    private JsonNode integer(JsonNode v, Class<?> type, String path) {
        boolean isInt = type == Integer.class;
        boolean quoted = v.isTextual() && INTEGER.matcher(v.asText().trim()).matches();
        if (v.isIntegralNumber() || quoted) {
            BigInteger n = quoted ? new BigInteger(v.asText().trim()) : v.bigIntegerValue();
            BigInteger max = BigInteger.valueOf(isInt ? Integer.MAX_VALUE : Long.MAX_VALUE);
            BigInteger min = BigInteger.valueOf(isInt ? Integer.MIN_VALUE : Long.MIN_VALUE);
            if (n.compareTo(max) <= 0 && n.compareTo(min) >= 0) return v;
            return problem(path, quoted(v) + " is too large; write a smaller whole number");
        }
        return problem(
                path, quoted(v) + " is not a whole number; write digits only, e.g. " + (isInt ? "5432" : "1048576"));
    }

    private JsonNode duration(JsonNode v, String path) {
        if (v.isNumber()) {
            return problem(path, quoted(v) + " has no unit; write it with one, e.g. 30s, 5m or 1h30m");
        }
        if (!v.isTextual()) {
            return problem(path, quoted(v) + " is not a duration; write it like 30s, 5m, 1h30m, 250ms or PT30S");
        }
        try {
            DurationText.parse(v.asText());
            return v;
        } catch (RuntimeException e) {
            return problem(path, e.getMessage());
        }
    }

    private JsonNode enumValue(JsonNode v, Class<?> type, String path) {
        if (v.isTextual()) {
            try {
                MAPPER.convertValue(v, type);
                return v;
            } catch (IllegalArgumentException e) {
                // Falls through to the message listing the accepted values.
            }
        }
        String noun = ENUM_NOUNS.getOrDefault(type, "an accepted value");
        return problem(path, quoted(v) + " is not " + noun + "; use one of " + String.join(", ", spellings(type)));
    }

    private void unknown(String path, String key, String prefix, Set<String> known) {
        String dotted = key.contains(".") ? key.substring(0, key.indexOf('.')) : null;
        if (dotted != null && known.contains(dotted)) {
            explained.add(prefix + dotted);
            problem(
                    path,
                    "is not a field switchover knows; YAML does not read dots as nesting, so write " + dotted
                            + ": on one line and " + key.substring(dotted.length() + 1) + ": indented below it");
            return;
        }
        String suggestion = closest(key, known);
        if (suggestion != null) {
            explained.add(prefix + suggestion);
            problem(path, "is not a field switchover knows; did you mean " + suggestion + "?");
        } else {
            problem(path, "is not a field switchover knows; the fields here are " + String.join(", ", known));
        }
    }

    /** The known name {@code key} was most likely meant to be, or null if none is close. */
    static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : known) {
            int d = name.equalsIgnoreCase(key)
                    ? 0
                    : levenshtein(key.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return bestDistance <= 2 && bestDistance < key.length() ? best : null;
    }

    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /** Record component names in declaration order; they are the YAML keys. */
    static Map<String, RecordComponent> components(Class<?> type) {
        Map<String, RecordComponent> byName = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) byName.put(c.getName(), c);
        return byName;
    }

    /** How an enum's values are written in YAML, as its {@code @JsonValue} gives them. */
    static List<String> spellings(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants())
                .map(c -> MAPPER.convertValue(c, String.class))
                .collect(Collectors.toList());
    }

    private JsonNode problem(String path, String message) {
        problems.add(new SpecProblem(path, message));
        explained.add(path);
        return null;
    }

    private static String kind(JsonNode v) {
        if (v.isObject()) return "a mapping";
        if (v.isArray()) return "a list";
        return "a single value";
    }

    private static String quoted(JsonNode v) {
        return "'" + v.asText() + "'";
    }
}
