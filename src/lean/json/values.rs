//! Free-form values (`traits.attributes`) and values nobody reads (an event's unknown keys),
//! both with a stack of open containers on the heap: nesting costs no call stack.

use super::{
    Fail, Reader, Res, Seg, EOF_LIST, EOF_OBJECT, EOF_VALUE, EXPECTED_VALUE, INVALID_NUMBER,
    KEY_STRING,
};
use serde_json::{Map, Number, Value};

/// A container being read: its elements so far, or its entries and the key being read.
enum Open {
    List(Vec<Value>),
    Object(Map<String, Value>, String),
}

/// The path of a failure inside the open containers: each one's current element or key, the
/// innermost's only when the failure is inside its current value (not in its own brackets,
/// commas, keys or colons).
fn steps(mut f: Fail, stack: &[Open], inside_top: bool) -> Fail {
    let skip = usize::from(!inside_top);
    for open in stack.iter().rev().skip(skip) {
        f.steps.push(match open {
            Open::List(items) => Seg::Index(items.len()),
            Open::Object(_, key) => Seg::Key(key.clone()),
        });
    }
    f
}

impl Reader<'_> {
    /// Any JSON value, as `serde_json::Value` reads it (numbers classified as serde_json
    /// does, a repeated key's last value kept, [`crate::error::MAX_DEPTH`] enforced).
    pub fn value(&mut self) -> Res<Value> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let b = self.start().map_err(|f| steps(f, &stack, true))?;
            let mut done = match b {
                b'[' | b'{' => {
                    self.enter().map_err(|f| steps(f, &stack, true))?;
                    self.eat();
                    stack.push(if b == b'[' {
                        Open::List(Vec::new())
                    } else {
                        Open::Object(Map::new(), String::new())
                    });
                    match self.advance(&mut stack, true)? {
                        None => continue,
                        Some(v) => v,
                    }
                }
                _ => self.scalar().map_err(|f| steps(f, &stack, true))?,
            };
            // Hand the finished value to its container; a container it completes is handed on.
            loop {
                match stack.last_mut() {
                    None => return Ok(done),
                    Some(Open::List(items)) => items.push(done),
                    Some(Open::Object(map, key)) => {
                        map.insert(std::mem::take(key), done);
                    }
                }
                match self.advance(&mut stack, false)? {
                    None => break,
                    Some(v) => done = v,
                }
            }
        }
    }

    /// After an element of the innermost container: `None` when another value follows (its
    /// key and colon read), else the container, closed and taken off the stack.
    fn advance(&mut self, stack: &mut Vec<Open>, first: bool) -> Res<Option<Value>> {
        let at_top = |f: Fail, stack: &[Open]| steps(f, stack, false);
        let more = match stack.last() {
            Some(Open::List(_)) => self.next_element(first).map_err(|f| at_top(f, stack))?,
            Some(Open::Object(..)) => match self.next_key(first).map_err(|f| at_top(f, stack))? {
                Some(span) => {
                    let key = self.text_of(span).to_owned();
                    if let Some(Open::Object(_, k)) = stack.last_mut() {
                        *k = key;
                    }
                    self.colon().map_err(|f| at_top(f, stack))?;
                    true
                }
                None => false,
            },
            None => return Ok(None),
        };
        if more {
            return Ok(None);
        }
        let closed = match stack.last() {
            Some(Open::List(_)) => self.end_list(),
            _ => self.end_object(),
        };
        closed.map_err(|f| at_top(f, stack))?;
        self.leave();
        Ok(stack.pop().map(|open| match open {
            Open::List(items) => Value::Array(items),
            Open::Object(map, _) => Value::Object(map),
        }))
    }

    fn scalar(&mut self) -> Res<Value> {
        let num = |n: super::Num| match n {
            super::Num::U64(v) => Value::Number(v.into()),
            super::Num::I64(v) => Value::Number(v.into()),
            super::Num::F64(v) => Number::from_f64(v).map_or(Value::Null, Value::Number),
        };
        match self.peek() {
            Some(b'n') => {
                self.eat();
                self.ident(b"ull")?;
                Ok(Value::Null)
            }
            Some(b't') => {
                self.eat();
                self.ident(b"rue")?;
                Ok(Value::Bool(true))
            }
            Some(b'f') => {
                self.eat();
                self.ident(b"alse")?;
                Ok(Value::Bool(false))
            }
            Some(b'-') => {
                self.eat();
                self.number(false).map(num)
            }
            Some(b'0'..=b'9') => self.number(true).map(num),
            Some(b'"') => {
                self.eat();
                let span = self.string()?;
                Ok(Value::String(self.text_of(span).to_owned()))
            }
            _ => self.peek_error(EXPECTED_VALUE),
        }
    }

    /// Past one value of any depth, checking its syntax only (serde_json's `ignore_value`:
    /// numbers are not range-checked, strings may hold lone surrogates, nesting is unlimited).
    pub fn skip(&mut self) -> Res<()> {
        let mut open: Vec<u8> = Vec::new();
        let mut enclosing: Option<u8> = None;
        loop {
            let Some(b) = self.ws() else {
                return self.peek_error(EOF_VALUE);
            };
            let frame = match b {
                b'n' | b't' | b'f' => {
                    self.eat();
                    let rest: &[u8] = match b {
                        b'n' => b"ull",
                        b't' => b"rue",
                        _ => b"alse",
                    };
                    self.ident(rest)?;
                    None
                }
                b'-' => {
                    self.eat();
                    self.skip_number()?;
                    None
                }
                b'0'..=b'9' => {
                    self.skip_number()?;
                    None
                }
                b'"' => {
                    self.eat();
                    self.skip_string()?;
                    None
                }
                b'[' | b'{' => {
                    open.extend(enclosing.take());
                    self.eat();
                    Some(b)
                }
                _ => return self.peek_error(EXPECTED_VALUE),
            };
            let (mut accept_comma, mut frame) = match frame {
                Some(f) => (false, f),
                None => match enclosing.take().or_else(|| open.pop()) {
                    Some(f) => (true, f),
                    None => return Ok(()),
                },
            };
            loop {
                match self.ws() {
                    Some(b',') if accept_comma => {
                        self.eat();
                        break;
                    }
                    Some(b']') if frame == b'[' => {}
                    Some(b'}') if frame == b'{' => {}
                    Some(_) if accept_comma => {
                        let what = if frame == b'[' {
                            "expected `,` or `]`"
                        } else {
                            "expected `,` or `}`"
                        };
                        return self.peek_error(what);
                    }
                    Some(_) => break,
                    None => {
                        return self.peek_error(if frame == b'[' { EOF_LIST } else { EOF_OBJECT });
                    }
                }
                self.eat();
                frame = match open.pop() {
                    Some(f) => f,
                    None => return Ok(()),
                };
                accept_comma = true;
            }
            if frame == b'{' {
                match self.ws() {
                    Some(b'"') => self.eat(),
                    Some(_) => return self.peek_error(KEY_STRING),
                    None => return self.peek_error(EOF_OBJECT),
                }
                self.skip_string()?;
                match self.ws() {
                    Some(b':') => self.eat(),
                    Some(_) => return self.peek_error("expected `:`"),
                    None => return self.peek_error(EOF_OBJECT),
                }
            }
            enclosing = Some(frame);
        }
    }

    /// serde_json's `ignore_integer` and what follows it.
    fn skip_number(&mut self) -> Res<()> {
        match self.next().unwrap_or(0) {
            b'0' => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return self.peek_error(INVALID_NUMBER);
                }
            }
            b'1'..=b'9' => self.digits(),
            _ => return self.error(INVALID_NUMBER),
        }
        if self.peek() == Some(b'.') {
            self.eat();
            let from = self.at;
            self.digits();
            if self.at == from {
                return self.peek_error(INVALID_NUMBER);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.eat();
            if let Some(b'+' | b'-') = self.peek() {
                self.eat();
            }
            match self.next().unwrap_or(0) {
                b'0'..=b'9' => self.digits(),
                _ => return self.error(INVALID_NUMBER),
            }
        }
        Ok(())
    }

    /// serde_json's `ignore_str`: escapes checked for form only; a control character is
    /// reported where it stands (not after it, as when a string is read).
    fn skip_string(&mut self) -> Res<()> {
        loop {
            self.skip_plain();
            match self.peek() {
                None => return self.error(super::EOF_STRING),
                Some(b'"') => {
                    self.eat();
                    return Ok(());
                }
                Some(b'\\') => {
                    self.eat();
                    match self.next() {
                        None => return self.error(super::EOF_STRING),
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u') => {
                            self.hex4()?;
                        }
                        Some(_) => return self.error(super::INVALID_ESCAPE),
                    }
                }
                Some(_) => return self.error(super::CONTROL),
            }
        }
    }
}
