/**
 * Prometheus remote storage messages as a protobufjs JSON descriptor, generated from prompb.proto
 * (`protobuf.parse(text, { keepCase: true }).root.toJSON()`; test/main/remote/proto.test.ts keeps
 * the two equal). A .ts module rather than the .proto read at run time, so the compiled engine
 * and the packaged app need no extra file.
 */
export const prompbDescriptor = {
  "nested": {
    "prometheus": {
      "nested": {
        "WriteRequest": {
          "fields": {
            "timeseries": {
              "rule": "repeated",
              "type": "TimeSeries",
              "id": 1
            },
            "metadata": {
              "rule": "repeated",
              "type": "MetricMetadata",
              "id": 3
            }
          },
          "reserved": [
            [
              2,
              2
            ]
          ]
        },
        "MetricMetadata": {
          "fields": {
            "type": {
              "type": "MetricType",
              "id": 1
            },
            "metric_family_name": {
              "type": "string",
              "id": 2
            },
            "help": {
              "type": "string",
              "id": 4
            },
            "unit": {
              "type": "string",
              "id": 5
            }
          },
          "nested": {
            "MetricType": {
              "values": {
                "UNKNOWN": 0,
                "COUNTER": 1,
                "GAUGE": 2,
                "HISTOGRAM": 3,
                "GAUGEHISTOGRAM": 4,
                "SUMMARY": 5,
                "INFO": 6,
                "STATESET": 7
              }
            }
          }
        },
        "Sample": {
          "fields": {
            "value": {
              "type": "double",
              "id": 1
            },
            "timestamp": {
              "type": "int64",
              "id": 2
            }
          }
        },
        "Exemplar": {
          "fields": {
            "labels": {
              "rule": "repeated",
              "type": "Label",
              "id": 1
            },
            "value": {
              "type": "double",
              "id": 2
            },
            "timestamp": {
              "type": "int64",
              "id": 3
            }
          }
        },
        "TimeSeries": {
          "fields": {
            "labels": {
              "rule": "repeated",
              "type": "Label",
              "id": 1
            },
            "samples": {
              "rule": "repeated",
              "type": "Sample",
              "id": 2
            },
            "exemplars": {
              "rule": "repeated",
              "type": "Exemplar",
              "id": 3
            }
          }
        },
        "Label": {
          "fields": {
            "name": {
              "type": "string",
              "id": 1
            },
            "value": {
              "type": "string",
              "id": 2
            }
          }
        },
        "LabelMatcher": {
          "fields": {
            "type": {
              "type": "Type",
              "id": 1
            },
            "name": {
              "type": "string",
              "id": 2
            },
            "value": {
              "type": "string",
              "id": 3
            }
          },
          "nested": {
            "Type": {
              "values": {
                "EQ": 0,
                "NEQ": 1,
                "RE": 2,
                "NRE": 3
              }
            }
          }
        },
        "ReadHints": {
          "fields": {
            "step_ms": {
              "type": "int64",
              "id": 1
            },
            "func": {
              "type": "string",
              "id": 2
            },
            "start_ms": {
              "type": "int64",
              "id": 3
            },
            "end_ms": {
              "type": "int64",
              "id": 4
            },
            "grouping": {
              "rule": "repeated",
              "type": "string",
              "id": 5
            },
            "by": {
              "type": "bool",
              "id": 6
            },
            "range_ms": {
              "type": "int64",
              "id": 7
            }
          }
        },
        "Chunk": {
          "fields": {
            "min_time_ms": {
              "type": "int64",
              "id": 1
            },
            "max_time_ms": {
              "type": "int64",
              "id": 2
            },
            "type": {
              "type": "Encoding",
              "id": 3
            },
            "data": {
              "type": "bytes",
              "id": 4
            }
          },
          "nested": {
            "Encoding": {
              "values": {
                "UNKNOWN": 0,
                "XOR": 1,
                "HISTOGRAM": 2,
                "FLOAT_HISTOGRAM": 3
              }
            }
          }
        },
        "ChunkedSeries": {
          "fields": {
            "labels": {
              "rule": "repeated",
              "type": "Label",
              "id": 1
            },
            "chunks": {
              "rule": "repeated",
              "type": "Chunk",
              "id": 2
            }
          }
        },
        "ReadRequest": {
          "fields": {
            "queries": {
              "rule": "repeated",
              "type": "Query",
              "id": 1
            },
            "accepted_response_types": {
              "rule": "repeated",
              "type": "ResponseType",
              "id": 2
            }
          },
          "nested": {
            "ResponseType": {
              "values": {
                "SAMPLES": 0,
                "STREAMED_XOR_CHUNKS": 1
              }
            }
          }
        },
        "ReadResponse": {
          "fields": {
            "results": {
              "rule": "repeated",
              "type": "QueryResult",
              "id": 1
            }
          }
        },
        "Query": {
          "fields": {
            "start_timestamp_ms": {
              "type": "int64",
              "id": 1
            },
            "end_timestamp_ms": {
              "type": "int64",
              "id": 2
            },
            "matchers": {
              "rule": "repeated",
              "type": "LabelMatcher",
              "id": 3
            },
            "hints": {
              "type": "ReadHints",
              "id": 4
            }
          }
        },
        "QueryResult": {
          "fields": {
            "timeseries": {
              "rule": "repeated",
              "type": "TimeSeries",
              "id": 1
            }
          }
        },
        "ChunkedReadResponse": {
          "fields": {
            "chunked_series": {
              "rule": "repeated",
              "type": "ChunkedSeries",
              "id": 1
            },
            "query_index": {
              "type": "int64",
              "id": 2
            }
          }
        }
      }
    }
  }
};
