// The cache tile sizes of contractions, shared by ptm-tile and
// ptm-fuse-epilogues so that a fused epilogue is tiled exactly as ptm-tile
// would tile its matmul.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstdint>

namespace ptm::tiling {

// The tile size for a dimension of `size`: the whole dimension when it is
// not larger than `preferred`, else the largest multiple of `quantum` from
// `preferred` down to `smallest` that divides it, so that every tile has the
// same static shape (which register tiling needs). Without such a divisor,
// `preferred` (the last tile is then partial and gets the scalar path).
inline int64_t chooseTileSize(int64_t size, int64_t preferred, int64_t quantum, int64_t smallest) {
  if (size <= preferred)
    return size;
  for (int64_t candidate = preferred - preferred % quantum; candidate >= std::max(quantum, smallest);
       candidate -= quantum)
    if (size % candidate == 0)
      return candidate;
  return preferred;
}

struct OutputTileOptions {
  int64_t tileM, tileN, registerTileN, minTiles;
};

struct OutputTile {
  int64_t m, n;
};

// The output tile of an [M, N] contraction (`batches` of them): tile-m rows
// (any row count suits packed register tiles, but tiles of fewer than half
// tile-m rows would pack each rhs tile too often for the rows they serve)
// by tile-n columns in whole register tiles, narrowed until the thread pool
// has min-tiles tiles to balance.
inline OutputTile chooseOutputTile(int64_t rows, int64_t columns, int64_t batches, const OutputTileOptions &o) {
  OutputTile tile{chooseTileSize(rows, o.tileM, 1, o.tileM / 2),
                  chooseTileSize(columns, o.tileN, o.registerTileN, o.registerTileN)};
  auto count = [&](int64_t n) -> int64_t {
    return batches * static_cast<int64_t>(llvm::divideCeil(rows, tile.m) * llvm::divideCeil(columns, n));
  };
  for (int64_t narrower = tile.n / 2; count(tile.n) < o.minTiles && narrower >= 2 * o.registerTileN &&
                                      narrower % o.registerTileN == 0 && columns % narrower == 0;
       narrower /= 2)
    tile.n = narrower;
  return tile;
}

} // namespace ptm::tiling
