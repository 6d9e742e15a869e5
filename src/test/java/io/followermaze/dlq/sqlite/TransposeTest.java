package io.followermaze.dlq.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransposeTest {

  private record Run(int user, int reason, List<Integer> offsets) {}

  private static List<Run> drain(Transpose transpose) throws Exception {
    List<Run> runs = new ArrayList<>();
    transpose.drain(
        (user, reason, codes, from, count) ->
            runs.add(
                new Run(
                    user,
                    reason,
                    Arrays.stream(codes, from, from + count)
                        .map(code -> code >>> 5)
                        .boxed()
                        .toList())));
    return runs;
  }

  @ParameterizedTest
  @ValueSource(ints = {1_000, 1 << 23, Integer.MAX_VALUE - 1})
  void groupsLettersPerRecipientAndReasonInEventOrderWhateverTheIds(int maxUser) throws Exception {
    Random random = new Random(maxUser);
    Transpose transpose = new Transpose();
    int[] users = {-1, 0, 7, maxUser / 2, maxUser};
    List<Run> expected = new ArrayList<>();
    java.util.Map<Long, List<Integer>> byKey = new java.util.LinkedHashMap<>();
    for (int offset = 0; offset < 5_000; offset++) {
      int user = users[random.nextInt(users.length)];
      int reason = random.nextInt(4) == 0 ? 12 : 11;
      transpose.add(user, reason, offset);
      byKey.computeIfAbsent((long) user << 8 | reason, k -> new ArrayList<>()).add(offset);
    }
    byKey.forEach(
        (key, offsets) -> expected.add(new Run((int) (key >> 8), (int) (key & 0xff), offsets)));

    List<Run> runs = drain(transpose);

    assertThat(runs).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(runs)
        .extracting(run -> run.offsets().getFirst())
        .as("runs in the order of their first letter")
        .isSorted();
    assertThat(drain(transpose)).as("drained").isEmpty();
  }
}
