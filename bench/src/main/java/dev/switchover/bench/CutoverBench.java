package dev.switchover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Placeholder until its benchmark lands. */
final class CutoverBench implements Benchmark {
  @Override
  public void run(BenchContext ctx, ObjectNode section) {
    throw new UnsupportedOperationException("not written yet");
  }

  @Override
  public String markdown(JsonNode section) {
    return "";
  }
}
